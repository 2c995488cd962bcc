/** The built-in plugins, in evaluation order: cheap, static filters first. */
import { antiThrash } from "./plugins/anti-thrash/index.ts";
import { balanceGain } from "./plugins/balance-gain/index.ts";
import { cpuCompatibility } from "./plugins/cpu-compatibility/index.ts";
import { cpuModelMatch } from "./plugins/cpu-model-match/index.ts";
import { excluded } from "./plugins/excluded/index.ts";
import { failureDomainSpread } from "./plugins/failure-domain-spread/index.ts";
import { interVmAffinity, preferredVmAffinity } from "./plugins/inter-vm-affinity/index.ts";
import { liveMigratable } from "./plugins/live-migratable/index.ts";
import { migrationCost } from "./plugins/migration-cost/index.ts";
import { migrationInFlight } from "./plugins/migration-in-flight/index.ts";
import { noPingPong } from "./plugins/no-ping-pong/index.ts";
import { nodeAffinity, preferredNodeAffinity } from "./plugins/node-affinity/index.ts";
import { nodeHealth } from "./plugins/node-health/index.ts";
import { nodeSchedulable } from "./plugins/node-schedulable/index.ts";
import { numaFit, numaLocality } from "./plugins/numa-fit/index.ts";
import { placementRules, preferredRules } from "./plugins/placement-rules/index.ts";
import { resourcesFit } from "./plugins/resources-fit/index.ts";
import { taintPreferNoSchedule, taintToleration } from "./plugins/taint-toleration/index.ts";
import { usageHeadroom } from "./plugins/usage-headroom/index.ts";
import { vmRunning } from "./plugins/vm-running/index.ts";
import { PluginRegistry } from "./registry.ts";

export function defaultRegistry(): PluginRegistry {
  return new PluginRegistry()
    .check(excluded)
    .check(vmRunning)
    .check(liveMigratable)
    .check(migrationInFlight)
    .check(antiThrash)
    .filter(nodeHealth)
    .filter(nodeSchedulable)
    .filter(taintToleration)
    .filter(nodeAffinity)
    .filter(cpuCompatibility)
    .filter(resourcesFit)
    .filter(numaFit)
    .filter(interVmAffinity)
    .filter(placementRules)
    .filter(usageHeadroom)
    .filter(noPingPong)
    .score(balanceGain)
    .score(preferredRules)
    .score(preferredVmAffinity)
    .score(preferredNodeAffinity)
    .score(failureDomainSpread)
    .score(numaLocality)
    .score(cpuModelMatch)
    .score(migrationCost)
    .score(taintPreferNoSchedule);
}
