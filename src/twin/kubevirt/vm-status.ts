/**
 * The VM's status as the VM controller writes it (kubevirt/kubevirt pkg/virt-controller/watch/vm/
 * vm.go updateStatus, setPrintableStatus, syncConditions, syncStartFailureStatus).
 */
import type { Rng } from "../../core/numeric/rng.ts";
import type { KubeObject } from "../api/types.ts";
import {
  copyCondition,
  conditionOf,
  hasCondition,
  hasConditionReason,
  removeCondition,
  setCondition,
} from "./conditions.ts";
import { type Json, listAt, numberAt, recordAt, textAt } from "./fields.ts";
import type { RunStrategy } from "./vm-run-strategy.ts";
import { firstRequestDone } from "./vm-run-strategy.ts";
import { isFinal, isMigrating, isUnprocessed, vmiPhase } from "./vmi-spec.ts";
import { cloneJson } from "../api/json-clone.ts";
import { isoSeconds } from "../../synth/clock.ts";

/** defaultMaxCrashLoopBackoffDelaySeconds. */
const MAX_START_BACKOFF_SECONDS = 300;
const MIN_START_BACKOFF_INTERVAL_SECONDS = 10;

export interface VmStatusInput {
  readonly vm: KubeObject;
  readonly vmi: KubeObject | undefined;
  readonly strategy: RunStrategy | undefined;
  readonly now: number;
  readonly nowIso: string;
  readonly rng: Rng;
}

/** calculateStartBackoffTime: interval × failures², plus up to half again at random, capped at 300 s. */
export function startBackoffSeconds(failCount: number, rng: Rng): number {
  const interval = Math.max(MIN_START_BACKOFF_INTERVAL_SECONDS, Math.floor(MAX_START_BACKOFF_SECONDS / 30));
  const delay = interval * Math.max(1, failCount) ** 2;
  const jittered = delay + rng.int(0, Math.floor(delay / 2));
  return Math.min(jittered, MAX_START_BACKOFF_SECONDS);
}

function everRan(vmi: KubeObject | undefined): boolean {
  return listAt(vmi, "status", "phaseTransitionTimestamps").some((entry) => textAt(entry, "phase") === "Running");
}

/** syncStartFailureStatus: a VMI that failed before ever running counts as a start failure; running clears it. */
function syncStartFailure(status: Json, input: VmStatusInput): void {
  const { vmi, strategy } = input;
  const restarting = strategy === "Always" || strategy === "RerunOnFailure" || strategy === "Once";
  if (everRan(vmi) || !restarting) {
    delete status.startFailure;
    return;
  }
  if (!vmi || !isFinal(vmi)) return;
  const previous = recordAt(status, "startFailure");
  if (textAt(previous, "lastFailedVMIUID") === vmi.metadata.uid) return;
  const count = (numberAt(previous, "consecutiveFailCount") ?? 0) + 1;
  const retryAfter = input.now + startBackoffSeconds(count, input.rng) * 1000;
  status.startFailure = {
    lastFailedVMIUID: vmi.metadata.uid,
    retryAfterTimestamp: isoSeconds(retryAfter),
    consecutiveFailCount: count,
  };
}

/** syncReadyConditionFromVMI and the generic copy of the VMI's other conditions. */
function syncConditions(status: Json, vmi: KubeObject | undefined, nowIso: string): void {
  const ready = conditionOf(vmi, "Ready");
  if (!vmi)
    setCondition(
      status,
      { type: "Ready", status: "False", reason: "VMINotExists", message: "VMI does not exist" },
      nowIso,
    );
  else if (!ready)
    setCondition(
      status,
      { type: "Ready", status: "False", reason: "VMIConditionMissing", message: "VMI is missing the Ready condition" },
      nowIso,
    );
  else copyCondition(status, ready);
  const ignored = new Set(["Ready", "Failure", "RestartRequired"]);
  const fromVmi = listAt(vmi, "status", "conditions").filter((item): item is Json => {
    const type = textAt(item, "type");
    return type !== undefined && !ignored.has(type);
  });
  for (const condition of fromVmi) copyCondition(status, condition);
  const present = new Set(fromVmi.map((condition) => textAt(condition, "type")));
  for (const condition of listAt(status, "conditions")) {
    const type = textAt(condition, "type") ?? "";
    if (!ignored.has(type) && !present.has(type)) removeCondition(status, type);
  }
}

function crashLooping(vm: KubeObject, vmi: KubeObject | undefined, strategy: RunStrategy | undefined): boolean {
  if (vmi && !isFinal(vmi)) return false;
  const failures = numberAt(vm, "status", "startFailure", "consecutiveFailCount") ?? 0;
  return failures > 0 && (strategy === "Always" || strategy === "RerunOnFailure" || strategy === "Once");
}

type StatusCheck = (vm: KubeObject, vmi: KubeObject | undefined, input: VmStatusInput) => boolean;

const isStarting: StatusCheck = (_, vmi) =>
  vmi !== undefined && (isUnprocessed(vmi) || vmiPhase(vmi) === "Scheduling" || vmiPhase(vmi) === "Scheduled");

/**
 * setPrintableStatus: the first matching status wins, in KubeVirt's order. Without a VMI the VM is
 * Stopped: the twin creates a VMI in the same sync that decides to start one, so "start expected" never lingers.
 */
const PRINTABLE_STATUSES: readonly [string, StatusCheck][] = [
  ["Terminating", (vm) => Boolean(vm.metadata.deletionTimestamp)],
  ["Stopping", (_, vmi) => vmi !== undefined && !isFinal(vmi) && Boolean(vmi.metadata.deletionTimestamp)],
  ["Migrating", (_, vmi, input) => isMigrating(vmi, input.now)],
  ["Paused", (_, vmi) => vmiPhase(vmi) === "Running" && hasCondition(vmi, "Paused", "True")],
  ["Running", (_, vmi) => vmiPhase(vmi) === "Running"],
  [
    "ErrorUnschedulable",
    (_, vmi) => hasConditionReason(vmi, { type: "PodScheduled", status: "False", reason: "Unschedulable" }),
  ],
  ["Starting", isStarting],
  ["CrashLoopBackOff", (vm, vmi, input) => crashLooping(vm, vmi, input.strategy)],
  ["Stopped", (_, vmi) => vmi === undefined || isFinal(vmi)],
];

export function printableStatusOf(vm: KubeObject, vmi: KubeObject | undefined, input: VmStatusInput): string {
  return PRINTABLE_STATUSES.find(([, check]) => check(vm, vmi, input))?.[0] ?? "Unknown";
}

/** The VM's next status (a fresh object; the caller writes it when it differs). */
export function nextVmStatus(input: VmStatusInput): Json {
  const { vm, vmi, strategy } = input;
  const status: Json = cloneJson(vm.status ?? {});
  status.created = vmi !== undefined;
  status.ready = hasCondition(vmi, "Ready", "True");
  // Synced only once the VM got an instance, so RerunOnFailure can tell a first start from a restart.
  if (strategy !== undefined && (textAt(status, "runStrategy") !== undefined || vmi !== undefined)) {
    status.runStrategy = strategy;
  }
  if (firstRequestDone(vm, vmi)) {
    const requests = listAt(status, "stateChangeRequests").slice(1);
    if (requests.length > 0) status.stateChangeRequests = requests;
    else delete status.stateChangeRequests;
  }
  syncStartFailure(status, input);
  syncConditions(status, vmi, input.nowIso);
  status.printableStatus = printableStatusOf({ ...vm, status }, vmi, input);
  return status;
}
