/** The inputs and the result of the live-migration cost model. Bytes, bytes per second and seconds throughout. */

export interface MigrationParams {
  /** Guest RAM the migration copies. */
  readonly memoryBytes: number;
  /** How fast the running guest dirties memory. */
  readonly dirtyRateBytesPerSecond: number;
  /** The effective transfer rate: the policy's bandwidthPerMigration, or the link when unlimited. */
  readonly bandwidthBytesPerSecond: number;
  /** QEMU's downtime-limit: pre-copy switches over once the rest fits in this much time. */
  readonly maxDowntimeMs: number;
  readonly allowAutoConverge: boolean;
  readonly allowPostCopy: boolean;
  /** Undefined follows allowPostCopy, as virt-handler does for backward compatibility. */
  readonly allowWorkloadDisruption?: boolean | undefined;
  /** Seconds allowed per started 10^9 bytes of memory (KubeVirt's completionTimeoutPerGiB); 0 disables it. */
  readonly completionTimeoutPerGiB: number;
  /** Seconds without any decrease of the remaining data before KubeVirt aborts; 0 disables it. */
  readonly progressTimeoutSeconds: number;
}

/**
 * converged: pre-copy reached switch-over; post-copy: KubeVirt switched to post-copy after the completion
 * timeout; paused: KubeVirt paused the guest to finish; aborted: the migration was cancelled (the VM stays
 * on the source).
 */
export type MigrationOutcome = "converged" | "post-copy" | "paused" | "aborted";

/**
 * pre-copy: the guest runs on the source while memory is copied; stop-and-copy: QEMU stopped the guest to
 * send the rest; post-copy: the guest runs on the target while the rest arrives; paused: KubeVirt paused the
 * guest on the source.
 */
export type MigrationPhase = "pre-copy" | "stop-and-copy" | "post-copy" | "paused";

/** One stretch of the migration: a pre-copy round (between two dirty-bitmap syncs) or the final phase. */
export interface MigrationRound {
  readonly round: number;
  readonly phase: MigrationPhase;
  readonly startSeconds: number;
  readonly durationSeconds: number;
  /** Bytes sent during this stretch. */
  readonly bytes: number;
  /** The guest CPU throttle in force (0..0.99). */
  readonly throttle: number;
  /** Dirty bytes still to send when the stretch ends. */
  readonly remainingBytes: number;
}

export interface MigrationPrediction {
  readonly outcome: MigrationOutcome;
  readonly succeeded: boolean;
  /** True when auto-converge throttled the guest. */
  readonly autoConverged: boolean;
  /** Pre-copy rounds, that is dirty-bitmap sync periods while the guest ran on the source. */
  readonly rounds: number;
  /** From the start until the VM runs on the target (or the migration is given up). */
  readonly durationSeconds: number;
  /** How long the guest did not run. */
  readonly downtimeMs: number;
  readonly bytesTransferred: number;
  /** The highest throttle used, 0..0.99. */
  readonly maxThrottle: number;
  /** One sentence a person can read in `kubedrs explain`. */
  readonly reason: string;
  readonly timeline: readonly MigrationRound[];
}
