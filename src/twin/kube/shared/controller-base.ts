/**
 * What every simulated Kubernetes controller shares: it writes as one actor, its timers and
 * subscriptions end with stop(), and a refused write (the object is gone, admission said no) is
 * noted in the twin's log instead of thrown, because a real controller logs it and requeues.
 */
import { ApiError } from "../../api/status.ts";
import type { ResourceType } from "../../api/resources.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TimerHandle } from "../../clock/virtual-clock.ts";
import type { EventType } from "../../runtime/events.ts";
import type { Controller, TwinRuntime } from "../../runtime/runtime.ts";
import type { StoreListener } from "../../store/store.ts";
import { nameOf } from "./objects.ts";

export interface ObjectRef {
  readonly namespace?: string | undefined;
  readonly name: string;
}

function shallowDraft(object: KubeObject): KubeObject {
  const draft: KubeObject = { ...object, metadata: { ...object.metadata } };
  if (object.spec) draft.spec = { ...object.spec };
  if (object.status) draft.status = { ...object.status };
  return draft;
}

export abstract class ControllerBase implements Controller {
  abstract readonly name: string;
  protected readonly runtime: TwinRuntime;
  /** Who writes: the store's `actor`. */
  protected readonly actor: string;
  /** The Events' reporting component (kube-scheduler reports as default-scheduler). */
  protected readonly component: string;
  private stopped = false;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly repeating: TimerHandle[] = [];

  protected constructor(runtime: TwinRuntime, actor: string, component = actor) {
    this.runtime = runtime;
    this.actor = actor;
    this.component = component;
  }

  stop(): void {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    for (const handle of this.repeating.splice(0)) this.runtime.clock.cancel(handle);
  }

  protected get isStopped(): boolean {
    return this.stopped;
  }

  protected now(): number {
    return this.runtime.clock.now();
  }

  protected nowIso(): string {
    return this.runtime.clock.nowIso();
  }

  protected watch(resource: ResourceType | undefined, listener: StoreListener): void {
    this.unsubscribers.push(this.runtime.store.subscribe(resource, listener));
  }

  protected onStop(unsubscribe: () => void): void {
    this.unsubscribers.push(unsubscribe);
  }

  /** Runs `run` after `delayMs` of virtual time, unless the controller stopped meanwhile. */
  protected after(delayMs: number, run: () => void): void {
    this.runtime.clock.after(delayMs, () => {
      if (!this.stopped) run();
    });
  }

  protected every(periodMs: number, run: () => void, firstDelayMs = periodMs): void {
    this.repeating.push(this.runtime.clock.every(periodMs, () => this.stopped || run(), firstDelayMs));
  }

  /** A write that may be refused: the refusal is logged and undefined returned. */
  protected attempt<T>(what: string, write: () => T): T | undefined {
    try {
      return write();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.runtime.log.note(this.nowIso(), this.actor, what, `${error.status.reason}: ${error.message}`);
      return undefined;
    }
  }

  /**
   * Reads the latest version, lets `change` edit a draft and writes it back (false skips the
   * write). The draft copies metadata, spec and status one level deep; changes must replace
   * nested values (arrays, maps) rather than edit them in place. That saves the store's deep
   * clone of every object a controller touches.
   */
  protected mutate(
    resource: ResourceType,
    ref: ObjectRef,
    change: (draft: KubeObject) => boolean | void,
  ): KubeObject | undefined {
    return this.write(resource, ref, change, false);
  }

  protected mutateStatus(
    resource: ResourceType,
    ref: ObjectRef,
    change: (draft: KubeObject) => boolean | void,
  ): KubeObject | undefined {
    return this.write(resource, ref, change, resource.subresources.includes("status"));
  }

  private write(
    resource: ResourceType,
    ref: ObjectRef,
    change: (draft: KubeObject) => boolean | void,
    status: boolean,
  ): KubeObject | undefined {
    const { store } = this.runtime;
    const current = store.get(resource, ref.namespace, ref.name);
    if (!current) return undefined;
    const draft = shallowDraft(current);
    if (change(draft) === false) return current;
    const options = status ? { actor: this.actor, subresource: "status" as const } : { actor: this.actor };
    return this.attempt(`${resource.kind} ${ref.name}${status ? " status" : ""}`, () =>
      store.update(resource, draft, options),
    );
  }

  protected event(object: KubeObject, type: EventType, reason: string, message: string): void {
    this.attempt(`Event ${reason} on ${nameOf(object)}`, () =>
      this.runtime.events.record(object, { type, reason, message, component: this.component }),
    );
  }
}
