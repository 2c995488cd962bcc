/**
 * What the VM controller does about a VM's instance, by run strategy (kubevirt/kubevirt
 * pkg/virt-controller/watch/vm/vm.go syncRunStrategy, shouldStartRerunOnFailure, hasStartRequest,
 * hasStopRequestForVMI). A pure decision: the controller carries it out.
 *
 * A VMI is only ever created when no VMI object exists, and deleted only once (never while it
 * is already being deleted), so a VM never has two instances.
 */
import type { KubeObject } from "../api/types.ts";
import { listAt, textAt } from "./fields.ts";
import { isFinal, vmiPhase } from "./vmi-spec.ts";

export type RunStrategy = "Always" | "RerunOnFailure" | "Manual" | "Halted" | "Once";

const STRATEGIES: readonly RunStrategy[] = ["Always", "RerunOnFailure", "Manual", "Halted", "Once"];

/** vm.RunStrategy(): spec.running (deprecated) maps to Always/Halted; both set is an error. */
export function runStrategyOf(vm: KubeObject): RunStrategy | { readonly error: string } {
  const running = vm.spec?.running;
  const strategy = textAt(vm, "spec", "runStrategy");
  if (typeof running === "boolean" && strategy !== undefined) {
    return { error: "running and runstrategy are mutually exclusive" };
  }
  if (typeof running === "boolean") return running ? "Always" : "Halted";
  if (strategy === undefined) return "Halted";
  return STRATEGIES.find((known) => known === strategy) ?? { error: `unknown runstrategy: ${strategy}` };
}

export interface RunDecision {
  /** Delete the VMI (stopVMI). */
  readonly stop: boolean;
  /** Create a VMI (startVMI), subject to the start-failure backoff. */
  readonly start: boolean;
  /** Append a start request to status.stateChangeRequests (RerunOnFailure after a failure). */
  readonly addStartRequest: boolean;
  /** Halted with a start request: switch the VM to Always (the start subresource on a halted VM). */
  readonly switchToAlways: boolean;
}

const NOTHING: RunDecision = { stop: false, start: false, addStartRequest: false, switchToAlways: false };

function firstRequest(vm: KubeObject): { action: string; uid: string | undefined } | undefined {
  const first = listAt(vm, "status", "stateChangeRequests")[0];
  const action = textAt(first, "action");
  return action === undefined ? undefined : { action, uid: textAt(first, "uid") };
}

export function hasStartRequest(vm: KubeObject): boolean {
  return firstRequest(vm)?.action === "Start";
}

export function hasStopRequestFor(vm: KubeObject, vmi: KubeObject): boolean {
  const request = firstRequest(vm);
  return request?.action === "Stop" && request.uid !== undefined && request.uid === vmi.metadata.uid;
}

function decideWithInstance(vm: KubeObject, vmi: KubeObject, strategy: RunStrategy): RunDecision {
  const stopRequested = hasStopRequestFor(vm, vmi);
  switch (strategy) {
    case "Always":
      return { ...NOTHING, stop: stopRequested || isFinal(vmi) };
    case "RerunOnFailure": {
      const deleting = Boolean(vmi.metadata.deletionTimestamp);
      const failed = vmiPhase(vmi) === "Failed";
      const stop = !deleting && (stopRequested || isFinal(vmi));
      return { ...NOTHING, stop, addStartRequest: stop && failed };
    }
    case "Manual":
      return { ...NOTHING, stop: stopRequested };
    case "Halted":
      return { ...NOTHING, stop: true };
    case "Once":
      return NOTHING;
  }
}

function decideWithoutInstance(vm: KubeObject, strategy: RunStrategy): RunDecision {
  switch (strategy) {
    case "Always":
    case "Once":
      return { ...NOTHING, start: true };
    case "RerunOnFailure":
      // Also starts when the strategy was just switched to RerunOnFailure from another one.
      return { ...NOTHING, start: hasStartRequest(vm) || textAt(vm, "status", "runStrategy") !== strategy };
    case "Manual":
      return { ...NOTHING, start: hasStartRequest(vm) };
    case "Halted":
      return { ...NOTHING, switchToAlways: hasStartRequest(vm) };
  }
}

export function decideRun(vm: KubeObject, vmi: KubeObject | undefined, strategy: RunStrategy): RunDecision {
  return vmi ? decideWithInstance(vm, vmi, strategy) : decideWithoutInstance(vm, strategy);
}

/**
 * isTrimFirstChangeRequestNeeded: a stop request is done once its VMI is gone; a start request once a
 * live VMI exists.
 */
export function firstRequestDone(vm: KubeObject, vmi: KubeObject | undefined): boolean {
  const request = firstRequest(vm);
  if (request === undefined) return false;
  if (request.action === "Stop") return !vmi || request.uid === undefined || request.uid !== vmi.metadata.uid;
  if (request.action === "Start") return Boolean(vmi && !vmi.metadata.deletionTimestamp && !isFinal(vmi));
  return false;
}
