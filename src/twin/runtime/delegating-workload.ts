/** A workload source the twin can wire before the workload model exists, and swap for replays. */
import type { VmUsageSample, WorkloadSource } from "./workload.ts";

export class DelegatingWorkload implements WorkloadSource {
  private source: WorkloadSource | undefined;

  install(source: WorkloadSource): void {
    this.source = source;
  }

  usage(vm: string, now: number): VmUsageSample | undefined {
    return this.source?.usage(vm, now);
  }
}
