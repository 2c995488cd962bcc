/** The migration limits in force: KubeVirt's own caps, tightened by every BalancePolicy's. */
import type { BalancePolicySpec } from "../policy/kinds/balance-policy.ts";
import type { MigrationLimits } from "./admission.ts";

export interface KubeVirtMigrationCaps {
  readonly parallelMigrationsPerCluster: number;
  readonly parallelOutboundMigrationsPerNode: number;
}

export function migrationLimits(
  kubevirt: KubeVirtMigrationCaps,
  policies: readonly BalancePolicySpec["limits"][],
): MigrationLimits {
  return {
    cluster: Math.min(kubevirt.parallelMigrationsPerCluster, ...policies.map((limits) => limits.maxParallelMigrations)),
    outboundPerNode: Math.min(
      kubevirt.parallelOutboundMigrationsPerNode,
      ...policies.map((limits) => limits.maxOutboundPerNode),
    ),
    // KubeVirt has no inbound cap of its own; without a policy, inbound is bounded by the cluster cap.
    inboundPerNode: Math.min(
      kubevirt.parallelMigrationsPerCluster,
      ...policies.map((limits) => limits.maxInboundPerNode),
    ),
  };
}
