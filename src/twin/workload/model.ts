/**
 * One guest's workload: its curves, and its demand at a time given its size and load factor.
 * The load factor scales CPU and dirty rate (a load spike), not resident memory. Demand is what the
 * guest would use with the host to itself; the sampler decides what it gets under contention.
 */
import { type Curve, buildCurve } from "./curves.ts";
import type { CurveSpec, DirtyRateSpec, WorkloadSpec } from "./spec.ts";
import type { TraceLibrary } from "./trace.ts";

type DirtyModel =
  | { readonly kind: "curve"; readonly curve: Curve }
  | { readonly kind: "proportional"; readonly base: number; readonly perCpu: number };

export interface WorkloadModel {
  readonly cpu: Curve;
  readonly memory: Curve;
  readonly dirty: DirtyModel;
}

export interface GuestSize {
  readonly vcpus: number;
  readonly memoryBytes: number;
}

export interface GuestDemand {
  cpuCores: number;
  memoryBytes: number;
  dirtyRateBytesPerSecond: number;
}

/** What a guest's demand depends on, besides time. */
export interface GuestLoad {
  readonly model: WorkloadModel;
  readonly size: GuestSize;
  /** Scales CPU and dirty rate (scenario load spikes, the runtime control). */
  readonly loadFactor: number;
}

const STREAM = { cpu: 0, memory: 1, dirty: 2 } as const;

function dirtyModel(spec: DirtyRateSpec, seed: number, traces: TraceLibrary): DirtyModel {
  if (typeof spec === "number") return { kind: "curve", curve: () => spec };
  if ("perCpu" in spec) return { kind: "proportional", base: spec.base, perCpu: spec.perCpu };
  return { kind: "curve", curve: buildCurve(spec, { seed, stream: STREAM.dirty, traces }) };
}

const NOISY = new Set(["bursty", "randomWalk"]);

function isNoisy(spec: CurveSpec | DirtyRateSpec): boolean {
  return typeof spec === "object" && "type" in spec && NOISY.has(spec.type);
}

/** Whether the model depends on the VM's seed: else VMs with the same spec can share one. */
export function drawsNoise(spec: WorkloadSpec): boolean {
  return isNoisy(spec.cpu) || isNoisy(spec.memory) || isNoisy(spec.dirtyRate);
}

/** Throws when a trace the spec names cannot be read. */
export function buildModel(spec: WorkloadSpec, seed: number, traces: TraceLibrary): WorkloadModel {
  return {
    cpu: buildCurve(spec.cpu, { seed, stream: STREAM.cpu, traces }),
    memory: buildCurve(spec.memory, { seed, stream: STREAM.memory, traces }),
    dirty: dirtyModel(spec.dirtyRate, seed, traces),
  };
}

function clampFraction(value: number): number {
  return value > 1 ? 1 : value > 0 ? value : 0;
}

/**
 * The guest's demand at `seconds` (virtual seconds since the epoch), written into `into` (the
 * sampler reuses one object for 30,000 guests rather than allocate one each).
 */
export function demandAt(guest: GuestLoad, seconds: number, into: GuestDemand = emptyDemand()): GuestDemand {
  const { model, size, loadFactor } = guest;
  // A guest cannot use more than its vCPUs, however high the load factor goes.
  const cpuCores = clampFraction(model.cpu(seconds) * loadFactor) * size.vcpus;
  const dirty = model.dirty;
  into.cpuCores = cpuCores;
  into.memoryBytes = clampFraction(model.memory(seconds)) * size.memoryBytes;
  into.dirtyRateBytesPerSecond =
    dirty.kind === "curve"
      ? Math.max(0, dirty.curve(seconds)) * loadFactor
      : dirty.base * loadFactor + dirty.perCpu * cpuCores;
  return into;
}

export function emptyDemand(): GuestDemand {
  return { cpuCores: 0, memoryBytes: 0, dirtyRateBytesPerSecond: 0 };
}
