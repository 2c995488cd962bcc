/** MigrationInFlight: KubeVirt allows one migration per VMI at a time. */
import type { VmCheck } from "../../framework.ts";

export const migrationInFlight: VmCheck = {
  name: "MigrationInFlight",
  check(ctx, vm) {
    const inFlight = ctx.state.get("MigrationInFlight/by-vm", () => {
      const byVm = new Map<number, string>();
      for (const migration of ctx.model.migrations) {
        if (!migration.inFlight || migration.vm < 0) continue;
        byVm.set(migration.vm, `${migration.namespace}/${migration.name}, phase ${migration.phase || "unset"}`);
      }
      return byVm;
    });
    const migration = inFlight.get(vm.index);
    return migration ? `a migration is already in flight (${migration})` : undefined;
  },
};
