/**
 * Boots a freshly applied scenario before it is served: runs virtual time, as fast as it goes,
 * until no VM is still starting (or a limit passes), so a client's first look finds the cluster
 * up, as it would find a real one. The boot's virtual seconds count toward the scenario's run.
 * Starting 30,000 VMs takes the simulated controllers about a minute of CPU; paced at --speed 1
 * that burst would hold the API server's event loop and time clients out.
 */
import type { KubeObject } from "../api/types.ts";
import type { HasRuntime } from "./apply.ts";

export const BOOT_LIMIT_MS = 5 * 60_000;
const BOOT_STEP_MS = 1_000;
const STARTING_PHASES = new Set(["", "Pending", "Scheduling", "Scheduled"]);

export interface BootResult {
  /** Virtual seconds the boot took. */
  readonly seconds: number;
  /** VMs still starting when the limit passed (unschedulable ones are not waited for). */
  readonly starting: number;
}

function isUnschedulable(vmi: KubeObject): boolean {
  const conditions = (vmi.status?.conditions ?? []) as { type?: string; reason?: string }[];
  return conditions.some((condition) => condition.type === "PodScheduled" && condition.reason === "Unschedulable");
}

function countStarting({ runtime }: HasRuntime): number {
  const { store, resources } = runtime;
  // A VM its controller has not synced yet has no printable status.
  let starting = store.list(resources.virtualMachines).filter((vm) => vm.status?.printableStatus === undefined).length;
  for (const vmi of store.list(resources.virtualMachineInstances)) {
    const phase = typeof vmi.status?.phase === "string" ? vmi.status.phase : "";
    if (STARTING_PHASES.has(phase) && !isUnschedulable(vmi)) starting += 1;
  }
  return starting;
}

export function bootScenario(twin: HasRuntime, limitMs = BOOT_LIMIT_MS): BootResult {
  const { clock } = twin.runtime;
  const start = clock.now();
  let starting = countStarting(twin);
  while (starting > 0 && clock.now() - start < limitMs) {
    clock.runUntil(clock.now() + BOOT_STEP_MS);
    starting = countStarting(twin);
  }
  return { seconds: (clock.now() - start) / 1000, starting };
}
