import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { SharedSubtrees } from "./shared-subtrees.ts";

const run = promisify(execFile);

describe("SharedSubtrees", () => {
  it("hands back the copy it holds for an equal part, and holds a new part as it comes", () => {
    const table = new SharedSubtrees();
    const first = table.share({ cores: 4, model: "host-model" });
    expect(table.share({ cores: 4, model: "host-model" })).toBe(first);
    const other = { cores: 8, model: "host-model" };
    expect(table.share(other)).toBe(other);
    expect(table.size).toBe(2);
  });

  it.each<[string, unknown]>([
    ["a string", "q35"],
    ["a number", 4],
    ["null", null],
    ["undefined", undefined],
  ])("passes %s through without holding it", (_, value) => {
    const table = new SharedSubtrees();
    expect(table.share(value)).toBe(value);
    expect(table.size).toBe(0);
  });

  it("tells apart parts whose JSON differs only in order or in type", () => {
    const table = new SharedSubtrees();
    const ab = table.share({ a: 1, b: 2 });
    expect(table.share({ b: 2, a: 1 })).not.toBe(ab);
    const list = table.share(["1"]);
    expect(table.share([1])).not.toBe(list);
  });

  it("freezes a held part all the way down, so a write to it fails instead of changing every holder", () => {
    const table = new SharedSubtrees();
    const devices = table.share({ disks: [{ name: "rootdisk", disk: { bus: "virtio" } }] });
    expect(() => {
      (devices.disks[0] as { name: string }).name = "other";
    }).toThrow(TypeError);
    expect(Object.isFrozen(devices.disks[0]?.disk)).toBe(true);
  });

  it("forgets a part once nothing else holds it", async () => {
    // Collection needs --expose-gc, so this runs in a process of its own.
    const script = `
      import { SharedSubtrees } from ${JSON.stringify(new URL("./shared-subtrees.ts", import.meta.url).href)};
      const table = new SharedSubtrees();
      let held = table.share({ template: "gone" });
      const kept = table.share({ template: "kept" });
      held = undefined;
      for (let round = 0; round < 20 && table.size > 1; round++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      process.stdout.write(JSON.stringify({ size: table.size, kept: table.share({ template: "kept" }) === kept }));
    `;
    const { stdout } = await run(process.execPath, ["--expose-gc", "--input-type=module", "-e", script]);
    expect(JSON.parse(stdout)).toEqual({ size: 1, kept: true });
  });
});
