/**
 * The numbers the migration model takes from QEMU and KubeVirt, each with where it was read.
 * QEMU: qemu/qemu (the stored copy of master; KubeVirt ships qemu-kvm 10.1, see kubevirt/kubevirt rpm deps).
 * KubeVirt: kubevirt/kubevirt main at d923fdb815cd (after v1.9.0; the cited lines are the same in v1.9.0).
 */

/** QEMU migration/options.c DEFAULT_MIGRATE_SET_DOWNTIME; KubeVirt pkg/util/migrations QEMUDefaultTargetDowntimeMS. */
export const QEMU_DEFAULT_DOWNTIME_LIMIT_MS = 300;

/** QEMU options.c DEFAULT_MIGRATE_THROTTLE_TRIGGER_THRESHOLD (50 %): dirtied > 50 % of sent counts as "too dirty". */
export const QEMU_THROTTLE_TRIGGER_THRESHOLD = 0.5;

/** QEMU options.c DEFAULT_MIGRATE_CPU_THROTTLE_INITIAL, in percent as QEMU keeps it. */
export const QEMU_CPU_THROTTLE_INITIAL_PERCENT = 20;

/** QEMU options.c DEFAULT_MIGRATE_CPU_THROTTLE_INCREMENT, in percent. */
export const QEMU_CPU_THROTTLE_INCREMENT_PERCENT = 10;

/** QEMU options.c DEFAULT_MIGRATE_MAX_CPU_THROTTLE (and CPU_THROTTLE_PCT_MAX in cpu-throttle.c), in percent. */
export const QEMU_MAX_CPU_THROTTLE_PERCENT = 99;

/** QEMU ram.c migration_trigger_throttle: `++rs->dirty_rate_high_cnt >= 2`, then the count restarts at 0. */
export const QEMU_TOO_DIRTY_PERIODS_PER_THROTTLE_STEP = 2;

/** QEMU ram.c migration_bitmap_sync: a sync period is judged only once more than 1 s has passed since the last one. */
export const QEMU_MIN_SYNC_PERIOD_SECONDS = 1;

/**
 * QEMU migration/cpu-throttle.c CPU_THROTTLE_DIRTY_SYNC_TIMESLICE_MS: with auto-converge, a timer forces a
 * dirty-bitmap sync every 5 s when no sync happened since its last tick (QEMU 9.2 and later).
 */
export const QEMU_AUTO_CONVERGE_SYNC_TIMER_SECONDS = 5;

/**
 * Time the guest stays stopped at switch-over beyond copying the last dirty pages: device state, the vCPU
 * stop/start and libvirt's resume on the target. Our estimate (tens of milliseconds in published
 * measurements; not a QEMU constant). Post-copy pays it too, when the VM moves to the target.
 */
export const SWITCHOVER_RESUME_OVERHEAD_MS = 50;

/**
 * KubeVirt pkg/virt-launcher/virtwrap/manager.go getVMIMigrationDataSize: the data size is
 * `Quantity.ScaledValue(resource.Giga)`, i.e. ceil(bytes / 10^9), so "per GiB" really counts started
 * decimal gigabytes: 1 GiB of RAM counts as 2.
 */
export const KUBEVIRT_MIGRATION_DATA_UNIT_BYTES = 1e9;

/** KubeVirt live-migration-source.go handleLegacyConvergence: after pausing the guest, `acceptableCompletionTime *= 2`. */
export const KUBEVIRT_PAUSED_DEADLINE_FACTOR = 2;

/** libvirt takes the bandwidth in MiB/s; KubeVirt rounds it (converter/vcpu QuantityToMebiByte). */
export const MEBIBYTE = 1024 * 1024;

/**
 * The simulation's hard cap on pre-copy rounds. It only binds when nothing else ends a migration that does
 * not converge (completion timeout disabled) or when rounds are very short; such a run is reported as aborted.
 */
export const MAX_SIMULATED_ROUNDS = 10_000;
