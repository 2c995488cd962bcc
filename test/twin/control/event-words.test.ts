/** How `kubedrs twin inject` spells events on the command line. */
import { describe, expect, it } from "vitest";
import { eventFromWords } from "../../../src/twin/control/index.ts";
import { injectedEventSchema } from "../../../src/twin/scenario/index.ts";

describe("an event in words", () => {
  it.each([
    [["power-off", "node-03"], {}, { type: "power-off", node: "node-03" }],
    [
      ["partition", "node-03", "node-04"],
      { for: "5m" },
      { type: "partition", nodes: ["node-03", "node-04"], for: "5m" },
    ],
    [["partition", "zone=zone-b", "fraction=0.5"], {}, { type: "partition", zone: "zone-b", fraction: 0.5 }],
    [["heal", "pool=gpu"], {}, { type: "heal", pool: "gpu" }],
    [["load", "shop/web-01", "2.5"], {}, { type: "load-spike", vm: "shop/web-01", factor: 2.5 }],
    [["load", "web", "3"], { for: "10m" }, { type: "load-spike", group: "web", factor: 3, for: "10m" }],
    [["maintenance", "node-02"], { reason: "BIOS" }, { type: "maintenance", node: "node-02", reason: "BIOS" }],
    [
      ["degrade", "node-02"],
      { condition: "MemoryErrors" },
      { type: "degraded-hardware", node: "node-02", condition: "MemoryErrors" },
    ],
    [["flap", "node-01"], { period: "10s", count: "4" }, { type: "flap", node: "node-01", period: "10s", count: 4 }],
  ])("reads %j as an event", (words, options, expected) => {
    const result = eventFromWords(words, options);
    expect(result).toEqual({ ok: true, event: expected });
    expect(injectedEventSchema.safeParse(result.ok ? result.event : undefined).success).toBe(true);
  });

  it.each([
    ["nothing", []],
    ["an unknown verb", ["explode", "node-01"]],
    ["a host event without hosts", ["power-off"]],
    ["a load without a factor", ["load", "shop/web-01"]],
    ["a load factor that is not a number", ["load", "shop/web-01", "lots"]],
  ])("rejects %s", (_name, words) => {
    expect(eventFromWords(words).ok).toBe(false);
  });
});
