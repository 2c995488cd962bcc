/**
 * Each VMI's workload, kept current from a watch on VMIs: the parsed spec and its curves are
 * cached per VMI uid and rebuilt only when the workload annotation changes; size and load factor
 * are re-read on every change, which costs nothing. A bad annotation falls back to the defaults
 * and says so once, in a Warning Event on the VMI.
 */
import type { Rng } from "../../core/numeric/rng.ts";
import type { KubeObject } from "../api/types.ts";
import type { Controller, TwinRuntime } from "../runtime/runtime.ts";
import type { StoreEvent } from "../store/store.ts";
import { type GuestLoad, type GuestSize, type WorkloadModel, buildModel, drawsNoise } from "./model.ts";
import { noiseSeed } from "./noise.ts";
import { guestSizeOf } from "./shapes.ts";
import {
  DEFAULT_WORKLOAD,
  LOAD_FACTOR_ANNOTATION,
  WORKLOAD_ANNOTATION,
  type WorkloadSpec,
  describeIssues,
  workloadSpec,
} from "./spec.ts";
import type { TraceLibrary } from "./trace.ts";

export interface GuestProfile extends GuestLoad {
  readonly key: string;
  readonly uid: string;
  readonly size: GuestSize;
  readonly loadFactor: number;
  readonly model: WorkloadModel;
  readonly workloadText: string | undefined;
  readonly loadFactorText: string | undefined;
}

const COMPONENT = "kubedrs-twin-workload";

/**
 * Where a VM key's current profile lives. A meter holds its slot, so the sampler reads the
 * profile with a property access instead of a map lookup per guest per sample. Slots are never
 * dropped: a VMI deleted and created again under the same key fills the same slot.
 */
export interface ProfileSlot {
  current: GuestProfile | undefined;
}

export class GuestProfiles {
  private readonly runtime: TwinRuntime;
  private readonly traces: TraceLibrary;
  private readonly rng: Rng;
  private readonly slots = new Map<string, ProfileSlot>();
  private readonly defaultModel: WorkloadModel;
  private readonly sharedModels = new Map<string, WorkloadModel>();
  private unsubscribe: (() => void) | undefined;

  constructor(runtime: TwinRuntime, traces: TraceLibrary) {
    this.runtime = runtime;
    this.traces = traces;
    this.rng = runtime.rng("workload");
    this.defaultModel = buildModel(DEFAULT_WORKLOAD, 0, traces);
  }

  start(): Controller {
    const vmis = this.runtime.resources.virtualMachineInstances;
    this.unsubscribe = this.runtime.store.subscribe(vmis, (event) => this.onEvent(event));
    for (const vmi of this.runtime.store.list(vmis)) this.refresh(vmi);
    return { name: "workload-profiles", stop: () => this.unsubscribe?.() };
  }

  get(key: string): GuestProfile | undefined {
    return this.slots.get(key)?.current;
  }

  slot(key: string): ProfileSlot {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { current: undefined };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private onEvent(event: StoreEvent): void {
    if (event.type !== "DELETED") {
      this.refresh(event.object);
      return;
    }
    const slot = this.slots.get(keyOf(event.object));
    if (slot && slot.current?.uid === event.object.metadata.uid) slot.current = undefined;
  }

  private refresh(vmi: KubeObject): void {
    const key = keyOf(vmi);
    const uid = vmi.metadata.uid ?? "";
    const slot = this.slot(key);
    const previous = slot.current;
    const same = previous?.uid === uid ? previous : undefined;
    const workloadText = vmi.metadata.annotations?.[WORKLOAD_ANNOTATION];
    const loadFactorText = vmi.metadata.annotations?.[LOAD_FACTOR_ANNOTATION];
    const model = same && same.workloadText === workloadText ? same.model : this.modelOf(vmi, key, workloadText);
    const loadFactor =
      same && same.loadFactorText === loadFactorText ? same.loadFactor : this.loadFactorOf(vmi, loadFactorText);
    slot.current = { key, uid, size: guestSizeOf(vmi), loadFactor, model, workloadText, loadFactorText };
  }

  /**
   * VMs without an annotation share one model, and so do VMs with the same annotation when it
   * draws no noise: fewer objects, and at 30,000 VMs the sampler finds them in the CPU cache.
   */
  private modelOf(vmi: KubeObject, key: string, text: string | undefined): WorkloadModel {
    if (text === undefined) return this.defaultModel;
    const shared = this.sharedModels.get(text);
    if (shared) return shared;
    const spec = this.specOf(vmi, text);
    if (!spec) return this.defaultModel;
    const noisy = drawsNoise(spec);
    // The seed depends on the VM key alone: the same VM draws the same noise in every run.
    const seed = noisy ? noiseSeed(this.rng.fork(key)) : 0;
    try {
      const model = buildModel(spec, seed, this.traces);
      if (!noisy) this.sharedModels.set(text, model);
      return model;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.warn(vmi, `${WORKLOAD_ANNOTATION} cannot be used (${reason}); using the defaults`);
      return this.defaultModel;
    }
  }

  private specOf(vmi: KubeObject, text: string): WorkloadSpec | undefined {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.warn(vmi, `${WORKLOAD_ANNOTATION} is not JSON (${reason}); using the defaults`);
      return undefined;
    }
    const parsed = workloadSpec.safeParse(json);
    if (parsed.success) return parsed.data;
    this.warn(
      vmi,
      `${WORKLOAD_ANNOTATION} is not a valid workload (${describeIssues(parsed.error)}); using the defaults`,
    );
    return undefined;
  }

  private loadFactorOf(vmi: KubeObject, text: string | undefined): number {
    if (text === undefined) return 1;
    const value = Number(text);
    if (text.trim() !== "" && Number.isFinite(value) && value >= 0) return value;
    this.warn(vmi, `${LOAD_FACTOR_ANNOTATION} must be a number ≥ 0, not ${JSON.stringify(text)}; using 1`);
    return 1;
  }

  private warn(vmi: KubeObject, message: string): void {
    this.runtime.events.record(vmi, { type: "Warning", reason: "InvalidWorkload", message, component: COMPONENT });
  }
}

export function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? "default"}/${object.metadata.name ?? ""}`;
}
