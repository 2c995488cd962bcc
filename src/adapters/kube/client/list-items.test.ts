import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forEachListItem } from "./list-items.ts";

const encoder = new TextEncoder();

/** The text as chunks cut at the given byte offsets. */
function chunked(text: string, cuts: readonly number[] = []): Uint8Array[] {
  const bytes = encoder.encode(text);
  const bounds = [0, ...[...cuts].sort((a, b) => a - b).filter((cut) => cut > 0 && cut < bytes.length), bytes.length];
  return bounds.slice(1).map((end, index) => bytes.subarray(bounds[index], end));
}

async function* stream(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) {
    await Promise.resolve();
    yield chunk;
  }
}

async function itemsOf(text: string, cuts: readonly number[] = []): Promise<{ items: unknown[]; list: boolean }> {
  const items: unknown[] = [];
  const list = await forEachListItem(stream(chunked(text, cuts)), (item, index) => {
    expect(index).toBe(items.length);
    items.push(item);
  });
  return { items, list };
}

describe("forEachListItem", () => {
  it.each([
    ["an empty list", `{"kind":"PodMetricsList","items":[]}`, []],
    ["a list with metadata after its items", `{"items":[{"a":1}],"metadata":{"items":[9]}}`, [{ a: 1 }]],
    ["a nested items key, which is not the list's", `{"metadata":{"items":[1,2]},"items":[{"b":[]}]}`, [{ b: [] }]],
    [
      "items of every JSON kind",
      `{"items":[1, "two" ,null,true,[3,{"x":"]"}],{"y":"}\\",["}]}`,
      [1, "two", null, true, [3, { x: "]" }], { y: '}",[' }],
    ],
    [
      "spaces and new lines",
      `{\n  "kind": "List",\n  "items": [\n    {"n": 1} ,\n    {"n": 2}\n  ]\n}\n`,
      [{ n: 1 }, { n: 2 }],
    ],
    ["multi-byte characters", `{"items":[{"name":"zürich-ünïcödé-✓"}]}`, [{ name: "zürich-ünïcödé-✓" }]],
    ["a value string that reads items", `{"kind":"items","spec":[1],"items":[2]}`, [2]],
  ])("splits %s", async (_name, text, expected) => {
    expect(await itemsOf(text)).toEqual({ items: expected, list: true });
  });

  it.each([
    ["a Status", `{"kind":"Status","code":403}`],
    ["items that are null", `{"items":null}`],
    ["items that are an object", `{"items":{"a":1}}`],
    ["a bare array", `[{"a":1}]`],
    ["nothing at all", ``],
  ])("says %s is no list", async (_name, text) => {
    expect(await itemsOf(text)).toEqual({ items: [], list: false });
  });

  it.each([
    ["cut short", `{"items":[{"a":1},{"b":`],
    ["cut inside a string", `{"items":[{"a":"x`],
    ["closing more than it opens", `{"items":[]}}`],
  ])("fails on an answer %s", async (_name, text) => {
    await expect(itemsOf(text)).rejects.toThrow(/the answer/);
  });

  it("fails on an item that is not JSON", async () => {
    await expect(itemsOf(`{"items":[{"a":tru}]}`)).rejects.toThrow(SyntaxError);
  });

  it("ends a string only at an unescaped quote, wherever a cut falls in a run of backslashes", async () => {
    const items = [{ a: '\\"\\\\"x\\', b: ['"', "\\\\", '\\"'] }, { c: '\\\\\\"]},{' }];
    const text = JSON.stringify({ items });
    for (let cut = 1; cut < text.length; cut += 1) {
      expect(await itemsOf(text, [cut, cut + 1])).toEqual({ items, list: true });
    }
  });

  it("gives the same items as JSON.parse however the bytes are cut", async () => {
    const item = fc.record({
      metadata: fc.record({ name: fc.string(), labels: fc.dictionary(fc.string(), fc.string()) }),
      containers: fc.array(fc.record({ name: fc.string(), usage: fc.dictionary(fc.string(), fc.string()) })),
      extra: fc.jsonValue(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { maxLength: 8 }),
        fc.array(fc.nat({ max: 2000 }), { maxLength: 12 }),
        fc.boolean(),
        async (items, cuts, pretty) => {
          const text = JSON.stringify({ kind: "List", metadata: { items: ["x"] }, items }, null, pretty ? 2 : 0);
          expect(await itemsOf(text, cuts)).toEqual({ items: JSON.parse(text).items as unknown, list: true });
        },
      ),
      { numRuns: 300 },
    );
  });
});
