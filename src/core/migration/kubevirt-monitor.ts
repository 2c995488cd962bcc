/**
 * What KubeVirt's migration monitor does while QEMU copies memory, read in kubevirt/kubevirt
 * pkg/virt-launcher/virtwrap/live-migration-source.go (handleLegacyConvergence, shouldTriggerTimeout,
 * isMigrationProgressing, processInflightMigration). This is the path used unless the alpha
 * MigrationStallDetection feature gate is on.
 *
 * Every 400 ms poll, in this order:
 * 1. In post-copy nothing is checked: aborting would lose the VM, so no timeout applies any more.
 * 2. If allowWorkloadDisruption and the elapsed time exceeds acceptableCompletionTime (and the guest is not
 *    already paused): start post-copy when allowPostCopy (and no VFIO device), else suspend the guest and
 *    double acceptableCompletionTime.
 * 3. If the progress timeout is non-zero and no progress was seen for longer than it: abort.
 * 4. If the elapsed time exceeds acceptableCompletionTime: abort.
 *
 * acceptableCompletionTime = completionTimeoutPerGiB × getVMIMigrationDataSize (manager.go): guest memory
 * plus, for block migration, local disks and migrated volumes, in started 10^9-byte units; 0 disables it.
 * We count memory only.
 *
 * Progress (processInflightMigration): the remaining data counts as progress when it is lower than at the
 * previous poll. Within a pre-copy round the remaining data falls continuously whenever bandwidth is
 * positive (it only jumps up at bitmap syncs), so the progress timeout catches a stalled transfer, not a
 * high dirty rate: a non-converging pre-copy ends at the completion timeout. We therefore apply the
 * progress timeout to zero bandwidth only.
 *
 * Simplification: KubeVirt compares whole elapsed seconds (`elapsedSeconds > limit`) at 400 ms polls, so
 * it acts up to 1.4 s after the limit; we act exactly at the limit.
 */
import { KUBEVIRT_MIGRATION_DATA_UNIT_BYTES } from "./constants.ts";
import type { MigrationParams } from "./types.ts";

/** What KubeVirt does once the completion timeout passes. */
export type CompletionTimeoutAction = "post-copy" | "pause" | "abort";

/** The data size KubeVirt multiplies completionTimeoutPerGiB with: started 10^9-byte units of memory. */
export function migrationDataUnits(memoryBytes: number): number {
  return Math.ceil(memoryBytes / KUBEVIRT_MIGRATION_DATA_UNIT_BYTES);
}

/** acceptableCompletionTime in seconds, or undefined when the completion timeout is disabled. */
export function completionTimeoutSeconds(params: MigrationParams): number | undefined {
  const seconds = params.completionTimeoutPerGiB * migrationDataUnits(params.memoryBytes);
  return seconds > 0 ? seconds : undefined;
}

/** virt-handler migration-source.go: an unset allowWorkloadDisruption follows allowPostCopy. */
export function allowsWorkloadDisruption(params: MigrationParams): boolean {
  return params.allowWorkloadDisruption ?? params.allowPostCopy;
}

export function completionTimeoutAction(params: MigrationParams): CompletionTimeoutAction {
  if (!allowsWorkloadDisruption(params)) return "abort";
  return params.allowPostCopy ? "post-copy" : "pause";
}
