/** ResourcesFit: the VM's requests fit the node's allocatable beside everything already there. */
import { formatBytes } from "../../../model/quantity.ts";
import type { FilterPlugin } from "../../framework.ts";

export function formatAmount(resource: string, amount: number): string {
  if (resource === "cpu") return `${Math.round(amount) / 1000} cores`;
  if (resource === "memory" || resource.startsWith("hugepages-") || resource === "ephemeral-storage")
    return formatBytes(amount);
  return String(Math.round(amount * 100) / 100);
}

export const resourcesFit: FilterPlugin = {
  name: "ResourcesFit",
  static: false,
  filter(ctx, vm, node) {
    const overflow = ctx.placement.overflow(vm, node.index);
    if (!overflow) return undefined;
    const free = Math.max(0, overflow.free);
    return `insufficient ${overflow.resource}: needs ${formatAmount(overflow.resource, overflow.needed)}, ${formatAmount(overflow.resource, free)} free`;
  },
};
