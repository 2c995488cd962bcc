/**
 * AntiThrash: a VM that moved recently waits out a cooldown that doubles with each move in a
 * day, and never exceeds its daily budget (kept well under KubeVirt's alert at 12 a day).
 * Only balancing is held back; evacuation and restarts are not optional.
 */
import { formatDuration } from "../../../model/quantity.ts";
import type { PlacementContext, VmCheck } from "../../framework.ts";

const DAY_MS = 86_400_000;

export function cooldownSeconds(ctx: PlacementContext, movesToday: number): number {
  const { cooldown, cooldownBackoff, maxCooldown } = ctx.balance.antiThrash;
  return Math.min(maxCooldown, cooldown * cooldownBackoff ** Math.max(0, movesToday - 1));
}

export const antiThrash: VmCheck = {
  name: "AntiThrash",
  check(ctx, vm) {
    if (ctx.purpose !== "balance") return undefined;
    const today = (ctx.history.departures.get(vm.index) ?? []).filter((departure) => ctx.now - departure.at < DAY_MS);
    const budget = ctx.balance.antiThrash.maxMigrationsPerVmPerDay;
    if (today.length >= budget) return `moved ${today.length} times in the last 24h; the daily budget is ${budget}`;
    const last = today.at(-1);
    if (!last) return undefined;
    const waitMs = cooldownSeconds(ctx, today.length) * 1000 - (ctx.now - last.at);
    if (waitMs <= 0) return undefined;
    return `cooling down for another ${formatDuration(waitMs / 1000)} (moved ${formatDuration((ctx.now - last.at) / 1000)} ago)`;
  },
};
