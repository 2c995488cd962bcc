/** What the simulated guests are doing right now: the interface the workload model offers the rest of the twin. */

export interface VmUsageSample {
  /** CPU the guest uses, in millicores. */
  readonly cpuMillis: number;
  /** Resident memory, in bytes. */
  readonly memoryBytes: number;
  /** How fast the guest dirties memory, in bytes per second (what a live migration must keep up with). */
  readonly dirtyRateBytesPerSecond: number;
}

export interface WorkloadSource {
  /** The VM's usage at virtual time `now` (ms), or undefined for a VM the model does not know. */
  usage(vm: string, now: number): VmUsageSample | undefined;
}
