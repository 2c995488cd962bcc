/**
 * The migration controller's status update (kubevirt/kubevirt pkg/virt-controller/watch/migration/
 * migration.go updateStatus and processMigrationPhase): failures found first, then one step of
 * Pending → Scheduling → Scheduled → PreparingTarget → TargetReady → Running → Succeeded, driven by
 * the target pod and by the migration state virt-handler writes into the VMI.
 */
import type { KubeObject } from "../api/types.ts";
import { conditionOf } from "./conditions.ts";
import { type Json, flagAt, isDeleting, listAt, recordAt, textAt, uidOf } from "./fields.ts";
import {
  type MigrationPhase,
  isMigrationFinal,
  isTargetCreated,
  isTargetHandedOff,
  migrationPhase,
} from "./migration-status.ts";
import { FINALIZER } from "./names.ts";
import { podIsDown, podIsReady } from "./pods.ts";
import { type Vmi, isFinal, migrationUidOf } from "./vmi-spec.ts";
import { cloneJson } from "../api/json-clone.ts";

export interface MigrationStatusInput {
  readonly migration: KubeObject;
  readonly vmi: Vmi;
  readonly targetPod: KubeObject | undefined;
  /** The VMI's current pod, the migration's source while it is Pending. */
  readonly sourcePod: KubeObject | undefined;
  /** canMigrateVMI: the VMI's migration state belongs to no other unfinished migration. */
  readonly canMigrate: boolean;
  readonly nowIso: string;
}

export interface MigrationEvent {
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly message: string;
}

export interface MigrationUpdate {
  readonly status: Json;
  readonly finalizers: string[];
  readonly events: readonly MigrationEvent[];
}

interface Draft {
  readonly status: Json;
  finalizers: string[];
  readonly events: MigrationEvent[];
}

const ABORT_REQUESTED = "migrationAbortRequested";

function fail(draft: Draft, message: string): void {
  draft.status.phase = "Failed";
  draft.events.push({ type: "Warning", reason: "FailedMigration", message });
}

function requestAbort(draft: Draft, nowIso: string): void {
  const conditions = listAt(draft.status, "conditions");
  if (conditions.some((condition) => textAt(condition, "type") === ABORT_REQUESTED)) return;
  draft.status.conditions = [...conditions, { type: ABORT_REQUESTED, status: "True", lastProbeTime: nowIso }];
}

function vmiState(vmi: Vmi): Json | undefined {
  return recordAt(vmi, "status", "migrationState");
}

type Step = (input: MigrationStatusInput, state: Json | undefined) => boolean;

/** processMigrationPhase: from each phase, the next one and what it waits for. */
const STEPS: Partial<Record<MigrationPhase, readonly [MigrationPhase, Step]>> = {
  "": ["Pending", () => true],
  Pending: ["Scheduling", ({ targetPod }) => targetPod !== undefined],
  Scheduling: ["Scheduled", ({ targetPod }) => targetPod !== undefined && podIsReady(targetPod)],
  // IsTargetPreparing: the VMI's migration state is ours and names the target node.
  Scheduled: [
    "PreparingTarget",
    ({ migration, vmi }, state) => migrationUidOf(vmi) === uidOf(migration) && Boolean(textAt(state, "targetNode")),
  ],
  PreparingTarget: [
    "TargetReady",
    (_, state) => Boolean(textAt(state, "targetNode")) && Boolean(textAt(state, "targetNodeAddress")),
  ],
  TargetReady: ["Running", (_, state) => Boolean(textAt(state, "startTimestamp"))],
  Running: ["Succeeded", (_, state) => flagAt(state, "completed") === true],
};

function nextPhase(input: MigrationStatusInput): MigrationPhase | undefined {
  const step = STEPS[migrationPhase(input.migration)];
  if (step === undefined) return undefined;
  const [next, ready] = step;
  return ready(input, vmiState(input.vmi)) ? next : undefined;
}

function progress(draft: Draft, input: MigrationStatusInput): void {
  if (migrationPhase(input.migration) === "" && !input.canMigrate) {
    fail(draft, "VMI is not eligible for migration because another migration job is in progress.");
    return;
  }
  const phase = nextPhase(input);
  if (phase === undefined) return;
  draft.status.phase = phase;
  if (phase === "Succeeded") {
    draft.events.push({
      type: "Normal",
      reason: "SuccessfulMigration",
      message: "Source node reported migration succeeded",
    });
  }
}

interface FailureRule {
  readonly applies: (input: MigrationStatusInput) => boolean;
  readonly message: string;
}

function handedOff(input: MigrationStatusInput): boolean {
  return isTargetHandedOff(input.migration) || migrationUidOf(input.vmi) === uidOf(input.migration);
}

/** updateStatus' failure checks after cancellation, in KubeVirt's order. */
const FAILURE_RULES: readonly FailureRule[] = [
  {
    applies: ({ targetPod }) => targetPod !== undefined && podIsDown(targetPod),
    message: "Migration failed because target pod shutdown during migration",
  },
  {
    applies: ({ migration, targetPod }) => isTargetCreated(migration) && targetPod === undefined,
    message: "Migration target pod was removed during active migration.",
  },
  {
    applies: ({ migration, vmi }) => isTargetHandedOff(migration) && vmiState(vmi) === undefined,
    message: "VMI's migration state was cleared during the active migration.",
  },
  {
    applies: ({ migration, vmi }) => isTargetHandedOff(migration) && migrationUidOf(vmi) !== uidOf(migration),
    message: "VMI's migration state was taken over by another migration job during active migration.",
  },
  {
    applies: ({ migration, vmi }) =>
      migrationUidOf(vmi) === uidOf(migration) && flagAt(vmiState(vmi), "failed") === true,
    message: "source node reported migration failed",
  },
];

/** The checks of updateStatus, in KubeVirt's order; returns true when one of them decided. */
function failureFound(draft: Draft, input: MigrationStatusInput): boolean {
  const { migration, vmi } = input;
  if (isFinal(vmi)) {
    fail(draft, "Migration failed vmi shutdown during migration.");
    return true;
  }
  if (isDeleting(migration) && !handedOff(input)) {
    draft.events.push({
      type: "Warning",
      reason: "FailedMigration",
      message: "Migration failed due to being canceled",
    });
    requestAbort(draft, input.nowIso);
    draft.status.phase = "Failed";
    return true;
  }
  const rule = FAILURE_RULES.find((candidate) => candidate.applies(input));
  if (rule) {
    fail(draft, rule.message);
    return true;
  }
  if (isDeleting(migration) && conditionOf(migration, ABORT_REQUESTED) === undefined) {
    requestAbort(draft, input.nowIso);
    return true;
  }
  return false;
}

function settleFinal(draft: Draft, input: MigrationStatusInput): void {
  const { migration, vmi } = input;
  const state = vmiState(vmi);
  if (state && migrationUidOf(vmi) === uidOf(migration)) draft.status.migrationState = cloneJson(state);
  draft.finalizers = draft.finalizers.filter((finalizer) => finalizer !== FINALIZER.migration);
}

/** SetVMIMigrationPhaseTransitionTimestamp and SetSourcePod. */
function stamp(draft: Draft, input: MigrationStatusInput): void {
  const before = migrationPhase(input.migration);
  const after = textAt(draft.status, "phase") ?? "";
  if (after !== before && after !== "") {
    draft.status.phaseTransitionTimestamps = [
      ...listAt(draft.status, "phaseTransitionTimestamps"),
      { phase: after, phaseTransitionTimestamp: input.nowIso },
    ];
  }
  if (after === "Pending" && input.sourcePod) {
    draft.status.migrationState = {
      ...recordAt(draft.status, "migrationState"),
      sourcePod: input.sourcePod.metadata.name,
    };
  }
}

export function nextMigrationStatus(input: MigrationStatusInput): MigrationUpdate {
  const draft: Draft = {
    status: cloneJson(input.migration.status ?? {}),
    finalizers: [...(input.migration.metadata.finalizers ?? [])],
    events: [],
  };
  if (isMigrationFinal(input.migration)) settleFinal(draft, input);
  else if (!failureFound(draft, input)) progress(draft, input);
  stamp(draft, input);
  return draft;
}
