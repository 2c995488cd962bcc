/** Excluded: kubedrs.io/exclude=true on the VM, its VMI or its namespace keeps kubedrs away. */
import { KUBEDRS } from "../../../model/kubedrs-labels.ts";
import type { VmCheck } from "../../framework.ts";

export const excluded: VmCheck = {
  name: "Excluded",
  check(_ctx, vm) {
    return vm.excluded ? `excluded with ${KUBEDRS.exclude}=true on the VM or its namespace` : undefined;
  },
};
