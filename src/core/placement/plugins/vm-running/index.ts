/** VmRunning: only a running VMI can live-migrate. */
import type { VmCheck } from "../../framework.ts";

export const vmRunning: VmCheck = {
  name: "VmRunning",
  check(ctx, vm) {
    if (ctx.purpose === "restart") return undefined;
    return vm.phase === "Running" ? undefined : `the VMI is ${vm.phase}, not Running`;
  },
};
