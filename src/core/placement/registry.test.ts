import { describe, expect, it } from "vitest";
import { defaultRegistry } from "./default-plugins.ts";
import type { FilterPlugin, ScorePlugin, VmCheck } from "./framework.ts";
import { PluginRegistry } from "./registry.ts";

const filter = (name: string): FilterPlugin => ({ name, static: false, filter: () => undefined });
const score = (name: string): ScorePlugin => ({ name, defaultWeight: 1, score: () => 0 });
const check = (name: string): VmCheck => ({ name, check: () => undefined });

describe("PluginRegistry", () => {
  it("keeps filters, scores and checks apart, in registration order", () => {
    const registry = new PluginRegistry()
      .filter(filter("F1"))
      .score(score("S1"))
      .check(check("C1"))
      .filter(filter("F2"));
    expect(registry.filters.map((plugin) => plugin.name)).toEqual(["F1", "F2"]);
    expect(registry.scores.map((plugin) => plugin.name)).toEqual(["S1"]);
    expect(registry.checks.map((plugin) => plugin.name)).toEqual(["C1"]);
    expect(["F1", "S1", "C1", "F3"].map((name) => registry.has(name))).toEqual([true, true, true, false]);
  });

  it.each([
    {
      name: "a filter registered twice",
      register: (registry: PluginRegistry) => registry.filter(filter("Twice")).filter(filter("Twice")),
    },
    {
      name: "a score registered twice",
      register: (registry: PluginRegistry) => registry.score(score("Twice")).score(score("Twice")),
    },
    {
      name: "a check registered twice",
      register: (registry: PluginRegistry) => registry.check(check("Twice")).check(check("Twice")),
    },
    {
      name: "a filter and a score sharing a name",
      register: (registry: PluginRegistry) => registry.filter(filter("Twice")).score(score("Twice")),
    },
    {
      name: "a check and a filter sharing a name",
      register: (registry: PluginRegistry) => registry.check(check("Twice")).filter(filter("Twice")),
    },
  ])("throws for $name", ({ register }) => {
    expect(() => register(new PluginRegistry())).toThrow(/a plugin named Twice is already registered/);
  });

  it("keeps the first plugin when a second one is refused", () => {
    const registry = new PluginRegistry().filter(filter("Twice"));
    expect(() => registry.score(score("Twice"))).toThrow();
    expect(registry.filters).toHaveLength(1);
    expect(registry.scores).toHaveLength(0);
  });

  it("registers every built-in plugin exactly once", () => {
    const registry = defaultRegistry();
    const names = [...registry.checks, ...registry.filters, ...registry.scores].map((plugin) => plugin.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(25);
  });
});
