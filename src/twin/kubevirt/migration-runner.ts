/**
 * The virt-handlers' side of a live migration (kubevirt/kubevirt pkg/virt-handler/migration-target.go
 * and migration-source.go, virt-launcher's live-migration-source.go), with the copy itself taken from
 * the core's cost model: once virt-controller hands a migration over, the target handler prepares
 * (targetNodeAddress), the source handler starts it (startTimestamp, mode PreCopy), and the model's
 * timeline is played on the virtual clock — progress on the MigrationBoard every 5 s (virt-handler's
 * migration stats poll), PostCopy or Paused mode when the model switches, then success (the VMI moves
 * to the target, the source launcher exits) or the model's abort. Deleting a running migration aborts
 * it unless it already switched over; losing either host fails it.
 */
import {
  type MigrationPrediction,
  type MigrationRound,
  migrationParamsFor,
  predictMigration,
} from "../../core/migration/index.ts";
import { parseQuantity } from "../../core/model/quantity.ts";
import { KUBEVIRT_MIGRATION_DEFAULTS } from "../../core/model/snapshot.ts";
import type { KubeObject } from "../api/types.ts";
import type { TimerHandle } from "../clock/virtual-clock.ts";
import type { Controller } from "../runtime/runtime.ts";
import type { TruthEvent } from "../runtime/truth.ts";
import type { KubeVirtContext } from "./context.ts";
import { type Json, flagAt, keyOf, listAt, nameOf, namespaceOf, recordAt, splitKey, textAt, uidOf } from "./fields.ts";
import { settingsFromJson } from "./migration-settings.ts";
import { ACTOR, ANNOTATION, COMPONENT, LABEL } from "./names.ts";
import { podIsReady } from "./pods.ts";
import { guestMemoryOf, isFinal, migrationUidOf, vmiNode, vmiPhase, vmKeyOf } from "./vmi-spec.ts";
import { WorkQueue } from "./work-queue.ts";
// A node that does not say has the default link (10 GbE); a VM the workload model does not know dirties the planner's default.
import { DEFAULT_DIRTY_RATE } from "../../core/balance/migration-costs.ts";
import { DEFAULT_MIGRATION_BANDWIDTH } from "../../core/model/snapshot.ts";

/** How long the target handler takes to prepare the domain and its migration proxy (our estimate). */
export const TARGET_PREPARE_MS = 1000;
/** virt-handler polls migration statistics every 5 s (pkg/monitoring/metrics/virt-handler/migrationdomainstats). */
export const PROGRESS_POLL_MS = 5000;
/** libvirt's keepalive (5 s × 5 probes, plus the last interval): how long a peer's loss goes unnoticed. */
export const CONNECTION_LOSS_DETECTION_MS = 30_000;
/** A virt-launcher exits shortly after its domain is gone (migrated away or torn down). */
export const LAUNCHER_EXIT_MS = 1000;

interface Execution {
  readonly uid: string;
  readonly vmiKey: string;
  readonly vmKey: string;
  readonly migrationName: string;
  readonly source: string;
  readonly target: string;
  readonly startedAt: number;
  readonly prediction: MigrationPrediction;
  readonly memoryBytes: number;
  readonly dirtyRate: number;
  readonly bandwidth: number;
  readonly timers: TimerHandle[];
  /** Set once the guest switched over (stop-and-copy or post-copy began): too late to abort. */
  committed: boolean;
  postCopy: boolean;
}

const STATUS_WRITE = { actor: ACTOR.handler, subresource: "status" } as const;

export class MigrationRunner implements Controller {
  readonly name = "kubevirt/virt-handler-migrations";
  private readonly context: KubeVirtContext;
  private readonly queue: WorkQueue;
  private readonly executions = new Map<string, Execution>();
  private readonly preparing = new Set<string>();
  private stopped = false;
  private readonly unsubscribe: (() => void)[];

  constructor(context: KubeVirtContext) {
    this.context = context;
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key));
    this.unsubscribe = [
      context.store.subscribe(context.resources.virtualMachineInstances, (event) =>
        this.queue.add(keyOf(event.object)),
      ),
      context.runtime.truth.subscribe((event) => this.onTruth(event)),
    ];
  }

  stop(): void {
    this.stopped = true;
    this.queue.stop();
    for (const execution of this.executions.values()) this.cancelTimers(execution);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  /** A one-off timer that does nothing once the simulation stopped. */
  private after(delayMs: number, run: () => void): void {
    this.context.clock.after(delayMs, () => {
      if (!this.stopped) run();
    });
  }

  private reachable(node: string): boolean {
    return node !== "" && this.context.runtime.truth.isReachable(node);
  }

  private getVmi(key: string): KubeObject | undefined {
    const { namespace, name } = splitKey(key);
    return this.context.store.get(this.context.resources.virtualMachineInstances, namespace, name);
  }

  private sync(key: string): void {
    const vmi = this.getVmi(key);
    this.abandonStale(key, vmi);
    const state = recordAt(vmi, "status", "migrationState");
    const uid = migrationUidOf(vmi);
    if (!vmi || !state || uid === "" || flagAt(state, "completed") === true) return;
    const execution = this.executions.get(uid);
    if (execution) {
      if (flagAt(state, "abortRequested") === true) this.abort(execution);
      return;
    }
    if (!textAt(state, "targetNodeAddress")) this.prepareTarget(vmi, state);
    else if (!textAt(state, "startTimestamp")) this.startMigration(vmi, state);
  }

  /** A VMI that is gone, final or on another migration takes its migration down with it (its domain is gone). */
  private abandonStale(key: string, vmi: KubeObject | undefined): void {
    for (const execution of [...this.executions.values()]) {
      if (execution.vmiKey !== key) continue;
      const live = vmi !== undefined && !isFinal(vmi) && migrationUidOf(vmi) === execution.uid;
      if (!live) this.end(execution);
    }
  }

  private targetPodReady(vmi: KubeObject, state: Json): boolean {
    const pod = this.context.store.get(this.context.resources.pods, namespaceOf(vmi), textAt(state, "targetPod") ?? "");
    return pod !== undefined && podIsReady(pod);
  }

  /** The target handler prepares the domain and reports the address the source migrates to. */
  private prepareTarget(vmi: KubeObject, state: Json): void {
    const uid = migrationUidOf(vmi);
    const target = textAt(state, "targetNode") ?? "";
    if (this.preparing.has(uid) || !this.reachable(target) || !this.targetPodReady(vmi, state)) return;
    this.preparing.add(uid);
    this.after(TARGET_PREPARE_MS, () => {
      this.preparing.delete(uid);
      const current = this.getVmi(keyOf(vmi));
      const currentState = recordAt(current, "status", "migrationState");
      if (!current || migrationUidOf(current) !== uid || !currentState || flagAt(currentState, "completed") === true)
        return;
      if (!this.reachable(target) || !this.targetPodReady(current, currentState)) return;
      this.writeState(current, (draft) => {
        draft.targetNodeAddress = this.nodeAddress(target);
      });
      this.context.event(current, {
        type: "Normal",
        reason: "PreparingTarget",
        message: "VirtualMachineInstance Migration Target Prepared.",
        component: COMPONENT.handler,
      });
    });
  }

  private nodeAddress(node: string): string {
    const object = this.context.store.get(this.context.resources.nodes, undefined, node);
    const internal = listAt(object, "status", "addresses").find((address) => textAt(address, "type") === "InternalIP");
    return textAt(internal, "address") ?? node;
  }

  private linkBandwidth(node: string): number {
    const value = this.context.store.get(this.context.resources.nodes, undefined, node)?.metadata.annotations?.[
      ANNOTATION.migrationBandwidth
    ];
    const parsed = value === undefined ? undefined : parseQuantity(value);
    return parsed !== undefined && parsed > 0 ? parsed : DEFAULT_MIGRATION_BANDWIDTH;
  }

  /** The source handler starts the copy: the model predicts how it goes, the clock plays it. */
  private startMigration(vmi: KubeObject, state: Json): void {
    const source = vmiNode(vmi);
    const target = textAt(state, "targetNode") ?? "";
    const vmKey = vmKeyOf(vmi);
    if (vmiPhase(vmi) !== "Running" || !this.reachable(source) || !this.reachable(target)) return;
    if (!this.context.runtime.truth.hostsOf(vmKey).includes(source)) return;
    const defaults = {
      ...KUBEVIRT_MIGRATION_DEFAULTS,
      allowWorkloadDisruption: KUBEVIRT_MIGRATION_DEFAULTS.allowPostCopy,
    };
    const settings = settingsFromJson(state.migrationConfiguration, defaults);
    const memoryBytes = guestMemoryOf(vmi);
    const dirtyRate =
      this.context.runtime.workload.usage(vmKey, this.context.now())?.dirtyRateBytesPerSecond ?? DEFAULT_DIRTY_RATE;
    const bandwidth = Math.min(this.linkBandwidth(source), this.linkBandwidth(target));
    const params = migrationParamsFor(settings, { memoryBytes, dirtyRateBytesPerSecond: dirtyRate }, bandwidth);
    const uid = migrationUidOf(vmi);
    const execution: Execution = {
      uid,
      vmiKey: keyOf(vmi),
      vmKey,
      migrationName: this.migrationName(vmi, uid),
      source,
      target,
      startedAt: this.context.now(),
      prediction: predictMigration(params),
      memoryBytes,
      dirtyRate,
      bandwidth: params.bandwidthBytesPerSecond,
      timers: [],
      committed: false,
      postCopy: false,
    };
    this.executions.set(uid, execution);
    this.writeState(vmi, (draft) => {
      draft.startTimestamp = this.context.nowIso();
      draft.mode = "PreCopy";
    });
    this.context.event(vmi, {
      type: "Normal",
      reason: "Migrating",
      message: "VirtualMachineInstance is migrating.",
      component: COMPONENT.handler,
    });
    this.play(execution);
  }

  private migrationName(vmi: KubeObject, uid: string): string {
    const migration = this.context.indexes.migrationsOf(keyOf(vmi)).find((item) => uidOf(item) === uid);
    return migration ? nameOf(migration) : "";
  }

  private play(execution: Execution): void {
    const { prediction, startedAt } = execution;
    const at = (seconds: number): number => startedAt + seconds * 1000;
    const end = at(prediction.durationSeconds);
    for (let time = startedAt; time < end; time += PROGRESS_POLL_MS) {
      execution.timers.push(this.context.clock.at(time, () => this.report(execution)));
    }
    for (const round of prediction.timeline) {
      const start = at(round.startSeconds);
      if (round.phase === "pre-copy") execution.timers.push(this.context.clock.at(start, () => this.report(execution)));
      else execution.timers.push(this.context.clock.at(start, () => this.switchOver(execution, round)));
    }
    execution.timers.push(this.context.clock.at(end, () => this.finish(execution)));
  }

  /** What virt-handler's migration stats would show now: bytes sent, the pass's remainder, the rates. */
  private report(execution: Execution): void {
    const elapsed = (this.context.now() - execution.startedAt) / 1000;
    let processed = 0;
    let remaining = execution.memoryBytes;
    let throttle = 0;
    for (const round of execution.prediction.timeline) {
      if (round.startSeconds > elapsed) break;
      const fraction =
        round.durationSeconds > 0 ? Math.min(1, (elapsed - round.startSeconds) / round.durationSeconds) : 1;
      processed += round.bytes * fraction;
      remaining = fraction >= 1 ? round.remainingBytes : round.bytes * (1 - fraction);
      throttle = round.throttle;
    }
    this.context.runtime.migrations.set(execution.vmKey, {
      migration: execution.migrationName,
      sourceNode: execution.source,
      targetNode: execution.target,
      startedAt: execution.startedAt,
      processedBytes: Math.round(processed),
      remainingBytes: Math.round(remaining),
      dirtyRateBytesPerSecond: execution.dirtyRate * (1 - throttle),
      transferRateBytesPerSecond: execution.bandwidth,
    });
  }

  /** The model's final phase begins: stop-and-copy, post-copy (the guest runs on the target) or a paused guest. */
  private switchOver(execution: Execution, round: MigrationRound): void {
    this.report(execution);
    if (round.phase === "paused") {
      this.writeState(this.getVmi(execution.vmiKey), (draft) => {
        draft.mode = "Paused";
      });
      return;
    }
    execution.committed = true;
    if (round.phase !== "post-copy") return;
    execution.postCopy = true;
    this.writeState(this.getVmi(execution.vmiKey), (draft) => {
      draft.mode = "PostCopy";
    });
  }

  private finish(execution: Execution): void {
    const { prediction } = execution;
    const guestOnSource = this.context.runtime.truth.hostsOf(execution.vmKey).includes(execution.source);
    if (prediction.succeeded && guestOnSource) this.succeed(execution);
    else
      this.fail(
        execution,
        prediction.succeeded ? "the guest stopped on the source during the migration" : prediction.reason,
      );
  }

  /** The target handler acknowledges the completed migration: the VMI now lives on the target. */
  private succeed(execution: Execution): void {
    this.end(execution);
    this.context.runtime.truth.moveVm(execution.vmKey, execution.source, execution.target);
    const vmi = this.getVmi(execution.vmiKey);
    if (!vmi) return;
    const now = this.context.nowIso();
    const sourcePod = textAt(vmi, "status", "migrationState", "sourcePod");
    this.writeState(
      vmi,
      (draft) => {
        draft.completed = true;
        draft.endTimestamp = now;
        draft.targetNodeDomainDetected = true;
        draft.targetNodeDomainReadyTimestamp = now;
      },
      { nodeName: execution.target, evacuationNodeName: undefined },
    );
    this.relabel(vmi, execution.target);
    this.context.event(vmi, {
      type: "Normal",
      reason: "Migrated",
      message: `The VirtualMachineInstance migrated to node ${execution.target}.`,
      component: COMPONENT.handler,
    });
    if (sourcePod !== undefined) this.exitLauncher(namespaceOf(vmi), sourcePod);
  }

  /** The migration failed: the guest stays on the source, unless it had already moved in post-copy. */
  private fail(execution: Execution, reason: string, abortStatus?: "Succeeded"): void {
    this.end(execution);
    const vmi = this.getVmi(execution.vmiKey);
    if (!vmi) return;
    const targetPod = textAt(vmi, "status", "migrationState", "targetPod");
    this.writeState(
      vmi,
      (draft) => {
        draft.completed = true;
        draft.failed = true;
        draft.endTimestamp = this.context.nowIso();
        draft.failureReason = reason;
        if (abortStatus !== undefined) draft.abortStatus = abortStatus;
      },
      execution.postCopy ? { phase: "Failed" } : {},
    );
    this.context.event(vmi, {
      type: "Warning",
      reason: "Migrated",
      message: `VirtualMachineInstance migration uid ${execution.uid} failed. reason:${reason}`,
      component: COMPONENT.handler,
    });
    // A post-copy migration that fails loses the guest: its memory is split between the hosts.
    if (execution.postCopy) this.context.runtime.truth.stopVm(execution.vmKey, execution.source);
    if (targetPod !== undefined) this.cleanUpTarget(vmi, targetPod, "Succeeded");
  }

  /**
   * After a failed migration the target handler tears the target down: its launcher exits, and the
   * migrationTargetNodeName label goes (migration-target.go), which is the VMI update that lets the
   * evacuation controller try again.
   */
  private cleanUpTarget(vmi: KubeObject, targetPod: string, phase: "Succeeded" | "Failed"): void {
    this.exitLauncher(namespaceOf(vmi), targetPod, phase, () => {
      const current = this.getVmi(keyOf(vmi));
      if (current && uidOf(current) === uidOf(vmi)) this.relabel(current, undefined);
    });
  }

  /** Deleting the migration: the source aborts the job unless the guest already switched over. */
  private abort(execution: Execution): void {
    if (execution.committed) {
      this.writeState(this.getVmi(execution.vmiKey), (draft) => {
        draft.abortStatus = "Failed";
      });
      return;
    }
    const vmi = this.getVmi(execution.vmiKey);
    if (vmi) {
      this.context.event(vmi, {
        type: "Normal",
        reason: "Migrating",
        message: "VirtualMachineInstance is aborting migration.",
        component: COMPONENT.handler,
      });
    }
    this.fail(execution, "Live migration has been aborted", "Succeeded");
  }

  /** A host of a running migration became unreachable: its peer notices once libvirt's keepalive gives up. */
  private onTruth(event: TruthEvent): void {
    if (event.type !== "host" || this.reachable(event.node)) return;
    for (const execution of [...this.executions.values()]) {
      if (execution.source !== event.node && execution.target !== event.node) continue;
      this.cancelTimers(execution);
      this.context.runtime.migrations.clear(execution.vmKey);
      this.after(CONNECTION_LOSS_DETECTION_MS, () => this.peerLost(execution));
    }
  }

  private peerLost(execution: Execution): void {
    if (this.executions.get(execution.uid) !== execution) return;
    if (this.reachable(execution.source)) {
      this.fail(execution, "Live migration failed: the connection to the target node was lost");
      return;
    }
    // The source is gone: the target's incoming migration fails and its launcher exits.
    this.end(execution);
    if (execution.postCopy) this.context.runtime.truth.stopVm(execution.vmKey, execution.source);
    const vmi = this.getVmi(execution.vmiKey);
    const targetPod = textAt(vmi, "status", "migrationState", "targetPod");
    if (vmi && targetPod !== undefined && this.reachable(execution.target))
      this.cleanUpTarget(vmi, targetPod, "Failed");
  }

  private end(execution: Execution): void {
    this.cancelTimers(execution);
    this.executions.delete(execution.uid);
    this.context.runtime.migrations.clear(execution.vmKey);
  }

  private cancelTimers(execution: Execution): void {
    for (const timer of execution.timers.splice(0)) this.context.clock.cancel(timer);
  }

  /** nodeName label to the target on success; the migrationTargetNodeName label goes either way. */
  private relabel(vmi: KubeObject, nodeName: string | undefined): void {
    this.context.store.mutate(
      this.context.resources.virtualMachineInstances,
      { namespace: namespaceOf(vmi), name: nameOf(vmi) },
      (draft) => {
        const labels = { ...draft.metadata.labels };
        delete labels[LABEL.migrationTargetNodeName];
        if (nodeName !== undefined) labels[LABEL.nodeName] = nodeName;
        draft.metadata.labels = labels;
        if (nodeName !== undefined && draft.metadata.annotations?.[ANNOTATION.evictionSource] !== undefined) {
          const annotations = { ...draft.metadata.annotations };
          delete annotations[ANNOTATION.evictionSource];
          draft.metadata.annotations = annotations;
        }
      },
      { actor: ACTOR.handler },
    );
  }

  /** The launcher's process ends; the kubelet reports the pod finished. */
  private exitLauncher(
    namespace: string,
    podName: string,
    phase: "Succeeded" | "Failed" = "Succeeded",
    then?: () => void,
  ): void {
    this.after(LAUNCHER_EXIT_MS, () => {
      const now = this.context.nowIso();
      this.context.store.mutate(
        this.context.resources.pods,
        { namespace, name: podName },
        (draft) => {
          const status = (draft.status ??= {});
          if (status.phase === "Succeeded" || status.phase === "Failed") return false;
          status.phase = phase;
          const exitCode = phase === "Succeeded" ? 0 : 1;
          status.containerStatuses = [
            {
              name: "compute",
              ready: false,
              started: false,
              restartCount: 0,
              state: {
                terminated: { exitCode, reason: phase === "Succeeded" ? "Completed" : "Error", finishedAt: now },
              },
            },
          ];
          return true;
        },
        { actor: "kubelet", subresource: "status" },
      );
      then?.();
    });
  }

  /** Writes the VMI's migration state (and optional top-level status fields) as virt-handler does. */
  private writeState(vmi: KubeObject | undefined, change: (state: Json) => void, top: Json = {}): void {
    if (!vmi) return;
    this.context.store.mutate(
      this.context.resources.virtualMachineInstances,
      { namespace: namespaceOf(vmi), name: nameOf(vmi) },
      (draft) => {
        const status = (draft.status ??= {});
        const state = { ...recordAt(status, "migrationState") };
        change(state);
        status.migrationState = state;
        for (const [key, value] of Object.entries(top)) {
          if (value === undefined) delete status[key];
          else status[key] = value;
        }
      },
      STATUS_WRITE,
    );
  }
}
