/** NoPingPong: a balancing move never sends a VM back to a node it left within the ping-pong window. */
import { formatDuration } from "../../../model/quantity.ts";
import type { FilterPlugin } from "../../framework.ts";

export const noPingPong: FilterPlugin = {
  name: "NoPingPong",
  static: false,
  filter(ctx, vm, node) {
    if (ctx.purpose !== "balance") return undefined;
    const windowMs = ctx.balance.antiThrash.pingPongWindow * 1000;
    const departures = ctx.history.departures.get(vm.index) ?? [];
    const recent = departures.findLast(
      (departure) => departure.node === node.index && ctx.now - departure.at < windowMs,
    );
    if (!recent) return undefined;
    return `the VM left this node ${formatDuration((ctx.now - recent.at) / 1000)} ago (ping-pong guard: ${formatDuration(windowMs / 1000)})`;
  },
};
