/**
 * virt-controller's migration controller (kubevirt/kubevirt pkg/virt-controller/watch/migration/
 * migration.go execute, sync, updateStatus): holds a migration Pending behind the concurrency limits
 * and the evacuation backoff, creates the target pod, gives up on a target pod that stays Pending too
 * long, hands the migration to virt-handler once the target pod runs (resolving the MigrationPolicy),
 * cancels on deletion, advances the phases and garbage-collects finalized migrations.
 */
import type { KubeObject } from "../api/types.ts";
import type { Controller } from "../runtime/runtime.ts";
import type { KubeVirtContext } from "./context.ts";
import { isDeleting, keyOf, nameOf, namespaceOf, recordAt, splitKey, textAt, uidOf } from "./fields.ts";
import {
  activePodCount,
  backoffRemainingMs,
  outboundMigrationsFrom,
  runningMigrations,
  targetPodsOf,
} from "./migration-gates.ts";
import { collectFinalizedMigrations } from "./migration-gc.ts";
import { nextMigrationStatus } from "./migration-phase.ts";
import { resolveSettingsFor, migrationConfigurationJson } from "./migration-settings.ts";
import { isMigrationFinal, migrationPhase, queuePriorityOf, requeueDelayMs } from "./migration-status.ts";
import { ACTOR, ANNOTATION, COMPONENT, LABEL } from "./names.ts";
import { isPodUnschedulable, podCreatedAt, podIsDown, podIsReady, podNode, podPhase } from "./pods.ts";
import { renderTargetPod } from "./target-pod.ts";
import { type Vmi, migrationUidOf, vmiNode, vmiPhase } from "./vmi-spec.ts";
import { currentPodOf } from "./vmi-status.ts";
import { WorkQueue } from "./work-queue.ts";
import { jsonEqual } from "../api/json-equal.ts";

const WRITE = { actor: ACTOR.controller } as const;
const STATUS_WRITE = { actor: ACTOR.controller, subresource: "status" } as const;

/** defaultUnschedulablePendingTimeoutSeconds and defaultCatchAllPendingTimeoutSeconds. */
export const UNSCHEDULABLE_TIMEOUT_SECONDS = 300;
export const PENDING_TIMEOUT_SECONDS = 900;
/** A migration waiting for a VMI with two active pods retries after a second. */
const ACTIVE_PODS_RETRY_MS = 1000;

interface Subject {
  readonly key: string;
  readonly migration: KubeObject;
  readonly vmi: Vmi;
  readonly targetPod: KubeObject | undefined;
}

export class MigrationController implements Controller {
  readonly name = "kubevirt/migration-controller";
  private readonly context: KubeVirtContext;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: (() => void)[];

  constructor(context: KubeVirtContext) {
    this.context = context;
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key));
    const { store, resources } = context;
    this.unsubscribe = [
      store.subscribe(resources.migrations, (event) => this.queue.add(keyOf(event.object))),
      store.subscribe(resources.virtualMachineInstances, (event) => this.enqueueMigrationsOf(keyOf(event.object))),
      store.subscribe(resources.pods, (event) => {
        const vmiName = event.object.metadata.annotations?.[ANNOTATION.domain];
        if (vmiName) this.enqueueMigrationsOf(`${namespaceOf(event.object)}/${vmiName}`);
      }),
      store.subscribe(resources.kubevirts, () => this.enqueuePending()),
    ];
    for (const migration of store.list(resources.migrations)) this.queue.add(keyOf(migration));
  }

  stop(): void {
    this.queue.stop();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  /** A VMI or pod change concerns the VMI's unfinished migrations; finished ones wake on their own changes. */
  private enqueueMigrationsOf(vmiKey: string): void {
    for (const migration of this.context.indexes.migrationsOf(vmiKey)) {
      if (!isMigrationFinal(migration)) this.queue.add(keyOf(migration));
    }
  }

  /** reEnqueueHighestPriorityPendingMigrations: a freed slot goes to the highest priority, then the oldest. */
  private enqueuePending(): void {
    const pending = this.context.store
      .list(this.context.resources.migrations)
      .filter((migration) => migrationPhase(migration) === "Pending")
      .sort((a, b) => queuePriorityOf(b) - queuePriorityOf(a) || this.context.indexes.creationOrder(a, b));
    for (const migration of pending) this.queue.add(keyOf(migration));
  }

  private subjectOf(key: string): Subject | undefined {
    const { namespace, name } = splitKey(key);
    const { store, resources } = this.context;
    const migration = store.get(resources.migrations, namespace, name);
    if (!migration) return undefined;
    const vmiName = textAt(migration, "spec", "vmiName") ?? "";
    const vmi = store.get(resources.virtualMachineInstances, namespace, vmiName);
    if (!vmi) {
      // A migration of a VMI that is gone is deleted (and, already deleting, left as it is).
      if (!isDeleting(migration)) store.delete(resources.migrations, namespace, name, WRITE);
      return undefined;
    }
    const targetPod = targetPodsOf(this.context, migration, vmi)[0];
    return { key, migration, vmi, targetPod };
  }

  private sync(key: string): void {
    const before = this.subjectOf(key);
    if (!before) return;
    this.syncMigration(before);
    const after = this.subjectOf(key);
    if (!after) return;
    this.updateStatus(after);
    const settled = this.context.store.get(
      this.context.resources.migrations,
      namespaceOf(after.migration),
      nameOf(after.migration),
    );
    if (settled && isMigrationFinal(settled)) {
      collectFinalizedMigrations(this.context, after.vmi);
      this.enqueuePending();
    }
  }

  /** canMigrateVMI: the VMI's migration state is free, ours, or belongs to a finished migration. */
  private canMigrate(migration: KubeObject, vmi: Vmi): boolean {
    const current = migrationUidOf(vmi);
    if (current === "" || current === uidOf(migration)) return true;
    const other = this.context.indexes.migrationsOf(keyOf(vmi)).find((item) => uidOf(item) === current);
    return other === undefined || isMigrationFinal(other);
  }

  /** sync's preconditions: a live VMI whose migration state is free for this migration and not finished. */
  private needsSync(subject: Subject): boolean {
    const { migration, vmi } = subject;
    if (isDeleting(vmi)) return false;
    const finishedOnVmi =
      migrationUidOf(vmi) === uidOf(migration) && recordAt(vmi, "status", "migrationState")?.completed === true;
    return !finishedOnVmi && this.canMigrate(migration, vmi);
  }

  private syncMigration(subject: Subject): void {
    if (!this.needsSync(subject)) return;
    const handlers: Partial<Record<string, (subject: Subject) => void>> = {
      Pending: (s) => this.syncPending(s),
      Scheduling: (s) => this.syncScheduling(s),
      Scheduled: (s) => this.syncScheduled(s),
      PreparingTarget: (s) => this.syncPreparing(s),
      TargetReady: (s) => this.syncPreparing(s),
      Running: (s) => this.syncRunning(s),
      Failed: (s) => this.markFailedOnVmi(s),
    };
    handlers[migrationPhase(subject.migration)]?.(subject);
  }

  private syncScheduling(subject: Subject): void {
    if (isDeleting(subject.migration)) return this.cancelBeforeHandoff(subject);
    if (subject.targetPod) this.checkPendingTimeout(subject, subject.targetPod);
  }

  private syncPending(subject: Subject): void {
    const { migration, vmi, targetPod } = subject;
    if (isDeleting(migration)) return this.cancelBeforeHandoff(subject);
    const backoff = backoffRemainingMs(this.context, migration, keyOf(vmi));
    if (backoff > 0) {
      this.context.event(vmi, {
        type: "Warning",
        reason: "MigrationBackoff",
        message: `backoff migrating vmi ${keyOf(vmi)}`,
        component: COMPONENT.migration,
      });
      this.queue.add(subject.key, backoff);
      return;
    }
    if (!targetPod) return this.createTargetPodWhenAllowed(subject);
    if (!podIsReady(targetPod)) this.checkPendingTimeout(subject, targetPod);
  }

  /** handleTargetPodCreation: the per-VMI, cluster and per-source-node limits, then the pod. */
  private createTargetPodWhenAllowed(subject: Subject): void {
    const { migration, vmi } = subject;
    const sourcePod = currentPodOf(vmi, this.context.indexes.podsOf(uidOf(vmi)), this.context.indexes.creationOrder);
    if (!sourcePod) return;
    if (activePodCount(this.context, vmi) > 1) {
      this.queue.add(subject.key, ACTIVE_PODS_RETRY_MS);
      return;
    }
    const limits = this.context.config().migrations;
    const running = runningMigrations(this.context);
    const overCluster = running.length >= limits.parallelMigrationsPerCluster;
    const overNode =
      outboundMigrationsFrom(this.context, vmiNode(vmi), running) >= limits.parallelOutboundMigrationsPerNode;
    if (overCluster || overNode) {
      this.queue.add(subject.key, requeueDelayMs(migration));
      return;
    }
    if (vmiPhase(vmi) === "Running") this.createTargetPod(subject, sourcePod);
  }

  private createTargetPod(subject: Subject, sourcePod: KubeObject): void {
    const { migration, vmi } = subject;
    const sourceNode = this.context.store.get(this.context.resources.nodes, undefined, vmiNode(vmi));
    const rendered = renderTargetPod({ vmi, migration, sourcePod, sourceNode, config: this.context.config() });
    if ("error" in rendered) {
      // KubeVirt returns the error and retries with backoff; the migration stays Pending.
      this.queue.add(subject.key, requeueDelayMs(migration));
      return;
    }
    const pod = this.context.store.create(this.context.resources.pods, rendered.pod, WRITE);
    this.context.event(migration, {
      type: "Normal",
      reason: "SuccessfulCreate",
      message: `Created migration target pod ${nameOf(pod)}`,
      component: COMPONENT.migration,
    });
  }

  private timeoutSeconds(migration: KubeObject, annotation: string, fallback: number): number {
    const value = Number.parseInt(migration.metadata.annotations?.[annotation] ?? "", 10);
    return Number.isNaN(value) ? fallback : value;
  }

  /** handlePendingPodTimeout: an unschedulable target pod is given 300 s, any Pending one 900 s. */
  private checkPendingTimeout(subject: Subject, pod: KubeObject): void {
    if (podPhase(pod) !== "Pending" || isDeleting(pod)) return;
    const { migration, vmi } = subject;
    const spent = Math.floor((this.context.now() - podCreatedAt(pod)) / 1000);
    const catchAll = this.timeoutSeconds(migration, ANNOTATION.pendingPodTimeout, PENDING_TIMEOUT_SECONDS);
    if (isPodUnschedulable(pod)) {
      this.context.event(migration, {
        type: "Warning",
        reason: "migrationTargetPodUnschedulable",
        message: `Migration target pod for VMI [${keyOf(vmi)}] is currently unschedulable.`,
        component: COMPONENT.migration,
      });
      const unschedulable = this.timeoutSeconds(
        migration,
        ANNOTATION.unschedulablePodTimeout,
        UNSCHEDULABLE_TIMEOUT_SECONDS,
      );
      if (spent >= unschedulable)
        return this.deleteTargetPod(migration, pod, `unschedulable pod ${keyOf(pod)} timeout period exceeded`);
      this.queue.add(subject.key, (unschedulable - spent) * 1000);
    }
    if (spent >= catchAll)
      return this.deleteTargetPod(migration, pod, `pending pod ${keyOf(pod)} timeout period exceeded`);
    this.queue.add(subject.key, (catchAll - spent) * 1000);
  }

  private deleteTargetPod(migration: KubeObject, pod: KubeObject, message: string): void {
    this.context.store.delete(this.context.resources.pods, namespaceOf(pod), nameOf(pod), WRITE);
    this.context.event(migration, {
      type: "Normal",
      reason: "SuccessfulDelete",
      message,
      component: COMPONENT.migration,
    });
  }

  /** handlePreHandoffMigrationCancel: a cancelled migration's target pod goes. */
  private cancelBeforeHandoff(subject: Subject): void {
    const pod = subject.targetPod;
    if (!pod || isDeleting(pod)) return;
    this.deleteTargetPod(subject.migration, pod, `migration canceled and pod ${keyOf(pod)} is deleted`);
  }

  private syncScheduled(subject: Subject): void {
    const { migration, vmi, targetPod } = subject;
    const handedOff = migrationUidOf(vmi) === uidOf(migration);
    if (isDeleting(migration) && !handedOff) return this.cancelBeforeHandoff(subject);
    if (targetPod && podIsReady(targetPod)) this.handOff(subject, targetPod);
  }

  /**
   * handleTargetPodHandoff: the VMI learns its migration — source, target, target pod, the policy and
   * the merged configuration — and gets the migrationTargetNodeName label that wakes the target's virt-handler.
   */
  private handOff(subject: Subject, targetPod: KubeObject): void {
    const { migration, vmi } = subject;
    if (migrationUidOf(vmi) === uidOf(migration)) return;
    const targetNode = podNode(targetPod);
    const labelled: Vmi = {
      ...vmi,
      metadata: { ...vmi.metadata, labels: { ...vmi.metadata.labels, [LABEL.migrationTargetNodeName]: targetNode } },
    };
    const resolved = resolveSettingsFor(this.context, labelled);
    const sourcePod = textAt(migration, "status", "migrationState", "sourcePod");
    const state: Record<string, unknown> = {
      migrationUid: uidOf(migration),
      targetNode,
      sourceNode: vmiNode(vmi),
      targetPod: nameOf(targetPod),
      ...(sourcePod !== undefined && { sourcePod }),
      ...(resolved.policyName !== undefined && { migrationPolicyName: resolved.policyName }),
      migrationConfiguration: migrationConfigurationJson(resolved.settings, this.context.config().nodeDrainTaintKey),
    };
    const ref = { namespace: namespaceOf(vmi), name: nameOf(vmi) };
    const vmis = this.context.resources.virtualMachineInstances;
    this.context.store.mutate(
      vmis,
      ref,
      (draft) => {
        draft.status = { ...draft.status, migrationState: state };
      },
      STATUS_WRITE,
    );
    this.context.store.mutate(
      vmis,
      ref,
      (draft) => {
        draft.metadata.labels = { ...draft.metadata.labels, [LABEL.migrationTargetNodeName]: targetNode };
      },
      WRITE,
    );
    this.context.event(migration, {
      type: "Normal",
      reason: "SuccessfulHandOver",
      message: "Migration target pod is ready for preparation by virt-handler.",
      component: COMPONENT.migration,
    });
  }

  /** A target pod that went away before the migration started fails it on the VMI. */
  private syncPreparing(subject: Subject): void {
    const { migration, vmi, targetPod } = subject;
    const state = recordAt(vmi, "status", "migrationState");
    if (migrationUidOf(vmi) !== uidOf(migration) || state === undefined) return;
    const targetDown = !targetPod || podIsDown(targetPod);
    if (targetDown && state.startTimestamp === undefined && state.failed !== true && state.completed !== true) {
      this.markFailedOnVmi(subject);
    }
  }

  /** markMigrationAbortInVmiStatus: deleting a running migration asks the source virt-handler to abort. */
  private syncRunning(subject: Subject): void {
    const { migration, vmi } = subject;
    if (!isDeleting(migration) || migrationUidOf(vmi) !== uidOf(migration)) return;
    const state = recordAt(vmi, "status", "migrationState");
    if (state?.abortRequested === true) return;
    this.context.store.mutate(
      this.context.resources.virtualMachineInstances,
      { namespace: namespaceOf(vmi), name: nameOf(vmi) },
      (draft) => {
        const status = (draft.status ??= {});
        status.migrationState = { ...recordAt(status, "migrationState"), abortRequested: true };
      },
      STATUS_WRITE,
    );
    this.context.event(migration, {
      type: "Normal",
      reason: "SuccessfulAbortMigration",
      message: "Migration is ready to be canceled by virt-handler.",
      component: COMPONENT.migration,
    });
  }

  /** handleMarkMigrationFailedOnVMI: the VMI's migration state records a migration that cannot go on. */
  private markFailedOnVmi(subject: Subject): void {
    const { migration, vmi } = subject;
    const state = recordAt(vmi, "status", "migrationState");
    if (migrationUidOf(vmi) !== uidOf(migration) || state === undefined || state.failed === true) return;
    const now = this.context.nowIso();
    this.context.store.mutate(
      this.context.resources.virtualMachineInstances,
      { namespace: namespaceOf(vmi), name: nameOf(vmi) },
      (draft) => {
        const status = (draft.status ??= {});
        const current = { ...recordAt(status, "migrationState") };
        current.failed = true;
        current.completed = true;
        current.endTimestamp ??= now;
        current.startTimestamp ??= now;
        current.failureReason ||= "Target pod is down";
        status.migrationState = current;
      },
      STATUS_WRITE,
    );
    this.context.event(vmi, {
      type: "Warning",
      reason: "FailedMigration",
      message: `VirtualMachineInstance migration uid ${uidOf(migration)} failed. reason: Target pod is down`,
      component: COMPONENT.migration,
    });
  }

  private updateStatus(subject: Subject): void {
    const { migration, vmi, targetPod } = subject;
    const update = nextMigrationStatus({
      migration,
      vmi,
      targetPod,
      sourcePod: currentPodOf(vmi, this.context.indexes.podsOf(uidOf(vmi)), this.context.indexes.creationOrder),
      canMigrate: this.canMigrate(migration, vmi),
      nowIso: this.context.nowIso(),
    });
    for (const event of update.events) this.context.event(migration, { ...event, component: COMPONENT.migration });
    const ref = { namespace: namespaceOf(migration), name: nameOf(migration) };
    const migrations = this.context.resources.migrations;
    if (!jsonEqual(update.status, migration.status ?? {})) {
      this.context.store.mutate(
        migrations,
        ref,
        (draft) => {
          draft.status = update.status;
        },
        STATUS_WRITE,
      );
    }
    if (!jsonEqual(update.finalizers, migration.metadata.finalizers ?? [])) {
      // Written last: dropping the finalizer of a deleted migration removes it.
      this.context.store.mutate(
        migrations,
        ref,
        (draft) => {
          draft.metadata.finalizers = update.finalizers;
        },
        WRITE,
      );
    }
  }
}
