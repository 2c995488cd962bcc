/**
 * Live progress of the migrations in flight, by VM key: what virt-handler's migration metrics
 * report (kubevirt_vmi_migration_data_processed_bytes and friends). The migration controller
 * writes it, the metrics endpoint reads it.
 */

export interface MigrationProgress {
  readonly migration: string;
  readonly sourceNode: string;
  readonly targetNode: string;
  readonly startedAt: number;
  readonly processedBytes: number;
  readonly remainingBytes: number;
  readonly dirtyRateBytesPerSecond: number;
  readonly transferRateBytesPerSecond: number;
}

export class MigrationBoard {
  private readonly inFlight = new Map<string, MigrationProgress>();

  set(vm: string, progress: MigrationProgress): void {
    this.inFlight.set(vm, progress);
  }

  clear(vm: string): void {
    this.inFlight.delete(vm);
  }

  get(vm: string): MigrationProgress | undefined {
    return this.inFlight.get(vm);
  }

  all(): [string, MigrationProgress][] {
    return [...this.inFlight].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }
}
