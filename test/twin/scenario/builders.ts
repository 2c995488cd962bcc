/**
 * Fixtures for scenario tests: a small valid TwinScenario with an override hook, a decoder that
 * fails loudly, and a bare twin runtime (no simulated controllers) for testing what events do
 * in isolation from the other parts of the twin.
 */
import { formatFieldError } from "../../../src/core/policy/field-error.ts";
import { createRuntime } from "../../../src/twin/runtime/create-runtime.ts";
import type { TwinRuntime } from "../../../src/twin/runtime/runtime.ts";
import { type Scenario, decodeScenario } from "../../../src/twin/scenario/index.ts";
import { DEFAULT_START } from "../../../src/twin/scenario/schema.ts";

/** Fields a test may set or break; anything else goes through the index signatures. */
export interface RawPool {
  name: string;
  count: number;
  [field: string]: unknown;
}

export interface RawGroup {
  name: string;
  count?: number;
  [field: string]: unknown;
}

/** A scenario as YAML would give it: plain data, loosely typed so tests can change any of it. */
export interface RawScenario {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    kubevirt: Record<string, unknown>;
    nodePools: RawPool[];
    vmGroups: RawGroup[];
    events: Record<string, unknown>[];
    [field: string]: unknown;
  };
}

/** Four Ice Lake hosts over two zones, six web VMs placed at random, no events. */
export function scenarioDocument(apply?: (document: RawScenario) => void): RawScenario {
  const document: RawScenario = {
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "TwinScenario",
    metadata: { name: "test" },
    spec: {
      seed: 1,
      duration: "1h",
      kubevirt: { evictionStrategy: "LiveMigrate" },
      nodePools: [{ name: "node", count: 4, cpu: "icelake", cores: 32, memory: "128Gi", zones: ["zone-a", "zone-b"] }],
      vmGroups: [{ name: "web", namespace: "apps", count: 6, cpu: 2, memory: "4Gi", placement: {} }],
      events: [],
    },
  };
  apply?.(document);
  return document;
}

export function firstPool(document: RawScenario): RawPool {
  const [pool] = document.spec.nodePools;
  if (!pool) throw new Error("the fixture has no pool");
  return pool;
}

export function firstGroup(document: RawScenario): RawGroup {
  const [group] = document.spec.vmGroups;
  if (!group) throw new Error("the fixture has no VM group");
  return group;
}

export function decoded(document: RawScenario): Scenario {
  const result = decodeScenario(document);
  if (!result.ok) throw new Error(`invalid test scenario:\n${result.errors.map(formatFieldError).join("\n")}`);
  return result.scenario;
}

export interface BareTwin {
  readonly runtime: TwinRuntime;
  advance(ms: number): void;
}

/** The twin's runtime without its controllers: only what the scenario itself does happens. */
export function bareTwin(seed = 1, start = Date.parse(DEFAULT_START)): BareTwin {
  const runtime = createRuntime({ seed, start, workload: { usage: () => undefined }, evictPod: () => undefined });
  const { clock } = runtime;
  return { runtime, advance: (ms) => void clock.runUntil(clock.now() + ms) };
}

export const MINUTE = 60_000;

/** The value at a path through nested objects and arrays (undefined where it leads nowhere). */
export function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A string at a path, or undefined. */
export function textAt(value: unknown, ...path: readonly (string | number)[]): string | undefined {
  const found = at(value, ...path);
  return typeof found === "string" ? found : undefined;
}

/** The node a VM's first pod is placed on by the scenario, if any. */
export function initialNodeOf(vm: unknown): string | undefined {
  return textAt(vm, "spec", "template", "metadata", "annotations", "twin.kubedrs.io/initial-node");
}
