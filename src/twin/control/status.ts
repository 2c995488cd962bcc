/** The control endpoint's status document: virtual time, the hosts' ground truth, counts. */
import type { TwinRuntime } from "../runtime/runtime.ts";
import type { AppliedScenario } from "../scenario/index.ts";
import type { MigrationCounts } from "./run-stats.ts";

export const CONTROL_API_VERSION = "twin.kubedrs.io/v1";

export interface HostStatus {
  readonly name: string;
  readonly powered: boolean;
  readonly networked: boolean;
  readonly bmcReachable: boolean;
  /** Guests actually running on the host (the truth, not the API). */
  readonly guests: number;
}

export interface TwinStatus {
  readonly apiVersion: typeof CONTROL_API_VERSION;
  readonly kind: "TwinStatus";
  readonly scenario: AppliedScenario | null;
  readonly time: string;
  /** Virtual seconds since the scenario started. */
  readonly elapsedSeconds: number;
  /** Virtual seconds per wall second; 0 when time moves only when told to. */
  readonly speed: number;
  readonly splitBrains: number;
  readonly splitBrainVms: readonly string[];
  readonly migrations: MigrationCounts;
  readonly objects: Readonly<Record<string, number>>;
  readonly hosts: readonly HostStatus[];
}

function guestsPerHost(runtime: TwinRuntime): Map<string, number> {
  const counts = new Map<string, number>();
  for (const vmi of runtime.store.list(runtime.resources.virtualMachineInstances)) {
    const key = `${vmi.metadata.namespace ?? ""}/${vmi.metadata.name ?? ""}`;
    for (const host of runtime.truth.hostsOf(key)) counts.set(host, (counts.get(host) ?? 0) + 1);
  }
  return counts;
}

function hosts(runtime: TwinRuntime): HostStatus[] {
  const guests = guestsPerHost(runtime);
  return runtime.truth.hostNames().map((name) => {
    const state = runtime.truth.host(name);
    return {
      name,
      powered: state?.powered ?? false,
      networked: state?.networked ?? false,
      bmcReachable: state?.bmcReachable ?? false,
      guests: guests.get(name) ?? 0,
    };
  });
}

function objectCounts(runtime: TwinRuntime): Record<string, number> {
  const { store, resources } = runtime;
  const counted = [
    resources.nodes,
    resources.pods,
    resources.virtualMachines,
    resources.virtualMachineInstances,
    resources.migrations,
    resources.nodeMaintenances,
  ];
  return Object.fromEntries(counted.map((resource) => [resource.plural, store.count(resource)]));
}

export interface StatusInputs {
  readonly runtime: TwinRuntime;
  readonly scenario: AppliedScenario | undefined;
  readonly speed: number;
  readonly migrations: MigrationCounts;
}

export function twinStatus({ runtime, scenario, speed, migrations }: StatusInputs): TwinStatus {
  const now = runtime.clock.now();
  return {
    apiVersion: CONTROL_API_VERSION,
    kind: "TwinStatus",
    scenario: scenario ?? null,
    time: runtime.clock.nowIso(),
    elapsedSeconds: scenario === undefined ? 0 : Math.max(0, (now - scenario.start) / 1000),
    speed,
    splitBrains: runtime.truth.splitBrainCount(),
    splitBrainVms: runtime.truth.splitBrainVmNames(),
    migrations,
    objects: objectCounts(runtime),
    hosts: hosts(runtime),
  };
}
