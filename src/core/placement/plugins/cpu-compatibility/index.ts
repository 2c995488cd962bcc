/** CpuCompatibility: the target offers the CPU the VM was booted with, as KubeVirt's node labeller describes it. */
import type { NodeInfo, VmInfo } from "../../../model/cluster.ts";
import type { FilterPlugin, PlacementContext } from "../../framework.ts";
import {
  firstUnmet,
  type LabelRequirement,
  migrationRequirements,
  passthroughMismatch,
  startRequirements,
} from "./requirements.ts";

function sourceOf(ctx: PlacementContext, vm: VmInfo): NodeInfo | undefined {
  return ctx.model.nodes[ctx.placement.nodeOf(vm.index)];
}

function requirements(ctx: PlacementContext, vm: VmInfo): readonly LabelRequirement[] {
  // Keyed by the source as well: the requirements follow the host the VM migrates from.
  const source = ctx.placement.nodeOf(vm.index);
  const cached = ctx.state.memo("CpuCompatibility", vm.index, () => ({ source, needs: compute(ctx, vm) }));
  if (cached.source === source) return cached.needs;
  return compute(ctx, vm);
}

function compute(ctx: PlacementContext, vm: VmInfo): readonly LabelRequirement[] {
  const source = sourceOf(ctx, vm);
  return ctx.purpose === "restart" || !source ? startRequirements(vm) : migrationRequirements(vm, source);
}

export const cpuCompatibility: FilterPlugin = {
  name: "CpuCompatibility",
  static: true,
  signature(ctx, vm) {
    const needs = requirements(ctx, vm).map((need) => `${need.key}=${need.value ?? "!"}`);
    // host-passthrough compares against the source host itself, so its source is part of the verdict.
    const passthrough =
      vm.cpu.mode === "host-passthrough" && ctx.purpose !== "restart" ? `@${ctx.placement.nodeOf(vm.index)}` : "";
    return needs.sort().join(",") + passthrough;
  },
  filter(ctx, vm, node) {
    const unmet = firstUnmet(requirements(ctx, vm), node);
    if (unmet)
      return `${unmet.value === undefined ? `must not have label ${unmet.key}` : `needs label ${unmet.key}=${unmet.value}`} (${unmet.why})`;
    const source = sourceOf(ctx, vm);
    if (vm.cpu.mode === "host-passthrough" && ctx.purpose !== "restart" && source) {
      return passthroughMismatch(source, node, true);
    }
    return undefined;
  },
};
