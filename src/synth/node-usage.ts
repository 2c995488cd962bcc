/**
 * Usage per node, built bottom-up: each node gets a target CPU utilization (hot or calm), its VMs'
 * appetites are scaled to meet it without pushing any VM past its vCPUs, and the node's usage is
 * its VMs' usage plus a small system base.
 */
import type { SnapshotNode, SnapshotVm, UsageSummary } from "../core/model/snapshot.ts";
import type { Rng } from "../core/numeric/rng.ts";
import { roundTo, uniform } from "./distributions.ts";
import { targetCpuUtilization } from "./hot-spots.ts";
import type { FleetNode } from "./node-builder.ts";
import { MAX_MEAN_CPU_SHARE, cpuAppetite, vmUsage } from "./vm-usage.ts";

/** Share of launcher overhead the launcher really resides in. */
const LAUNCHER_RESIDENT_SHARE = 0.7;

/** Fills in `usage` on every node and every VM. `vmsByNode[i]` lists the VMs placed on node i. */
export function applyUsage(
  rng: Rng,
  fleet: readonly FleetNode[],
  vmsByNode: readonly (readonly SnapshotVm[])[],
  hot: Uint8Array,
): void {
  fleet.forEach(({ spec: node }, index) => {
    const vms = vmsByNode[index] ?? [];
    const onHotNode = hot[index] === 1;
    const allocatableCpu = (node.allocatable ?? node.capacity).cpu ?? 0;
    const systemCpu = allocatableCpu * uniform(rng, 0.01, 0.02);
    const target = targetCpuUtilization(rng, onHotNode) * allocatableCpu - systemCpu;
    const appetites = vms.map(() => cpuAppetite(rng));
    const means = fillToTarget(
      vms.map((vm, i) => (appetites[i] ?? 0) * vcpuMillis(vm)),
      vms.map((vm) => MAX_MEAN_CPU_SHARE * vcpuMillis(vm)),
      target,
    );
    vms.forEach((vm, i) => {
      vm.usage = vmUsage(rng, vm, { meanCpu: means[i] ?? 0, appetite: appetites[i] ?? 0, onHotNode });
    });
    node.usage = nodeUsage(rng, node, vms, { systemCpu, onHotNode });
  });
}

function vcpuMillis(vm: SnapshotVm): number {
  return (vm.cpu.vcpus ?? 1) * 1000;
}

/**
 * Scales every appetite by one factor so the sum meets `target`, except that no VM goes past its
 * cap; the capped VMs' excess goes to the others (water-filling). If even all caps fall short,
 * every VM sits at its cap.
 */
export function fillToTarget(appetites: readonly number[], caps: readonly number[], target: number): number[] {
  const order = appetites.map((_, i) => i).sort((a, b) => ratio(caps, appetites, a) - ratio(caps, appetites, b));
  let remainingTarget = Math.max(0, target);
  let remainingAppetite = appetites.reduce((sum, value) => sum + value, 0);
  let capped = 0;
  for (const i of order) {
    if (remainingAppetite <= 0 || remainingTarget / remainingAppetite < ratio(caps, appetites, i)) break;
    remainingTarget -= caps[i] ?? 0;
    remainingAppetite -= appetites[i] ?? 0;
    capped += 1;
  }
  const scale = remainingAppetite > 0 ? remainingTarget / remainingAppetite : 0;
  const isCapped = new Uint8Array(appetites.length);
  for (const i of order.slice(0, capped)) isCapped[i] = 1;
  return appetites.map((appetite, i) => (isCapped[i] ? (caps[i] ?? 0) : appetite * scale));
}

function ratio(caps: readonly number[], appetites: readonly number[], i: number): number {
  const appetite = appetites[i] ?? 0;
  return appetite > 0 ? (caps[i] ?? 0) / appetite : Number.POSITIVE_INFINITY;
}

interface NodeLoad {
  readonly systemCpu: number;
  readonly onHotNode: boolean;
}

function nodeUsage(rng: Rng, node: SnapshotNode, vms: readonly SnapshotVm[], load: NodeLoad): SnapshotNode["usage"] {
  const systemMemory = (node.capacity.memory ?? 0) * uniform(rng, 0.02, 0.035);
  const cpu = combine(
    load.systemCpu,
    vms.map((vm) => vm.usage?.cpu),
  );
  const memory = combine(systemMemory, vms.map(hostMemory));
  return {
    cpu: capAt(cpu, node.capacity.cpu ?? Number.POSITIVE_INFINITY),
    memory: capAt(memory, node.capacity.memory ?? Number.POSITIVE_INFINITY),
    pressure: {
      cpuSome: roundTo(load.onHotNode ? uniform(rng, 0.04, 0.15) : uniform(rng, 0, 0.015), 4),
      memorySome: roundTo(uniform(rng, 0, 0.005), 4),
      ioSome: roundTo(uniform(rng, 0, 0.02), 4),
    },
  };
}

/** What a VM holds in the node's regular memory: the resident guest (unless hugepage-backed) and its launcher. */
function hostMemory(vm: SnapshotVm): UsageSummary | undefined {
  const guest = vm.usage?.memory;
  if (!guest) return undefined;
  const hugepageBacked = vm.hugepages !== undefined;
  const overhead = (vm.requests.memory ?? 0) - (hugepageBacked ? 0 : (vm.guestMemory ?? 0));
  const launcher = overhead * LAUNCHER_RESIDENT_SHARE;
  if (hugepageBacked) return { mean: launcher, p95: launcher, max: launcher };
  return { mean: guest.mean + launcher, p95: guest.p95 + launcher, max: guest.max + launcher };
}

/**
 * Means add up; peaks do not all coincide, so independent deviations add in quadrature.
 */
function combine(base: number, parts: readonly (UsageSummary | undefined)[]): UsageSummary {
  let mean = base;
  let p95Spread = 0;
  let maxSpread = 0;
  for (const part of parts) {
    if (!part) continue;
    mean += part.mean;
    p95Spread += (part.p95 - part.mean) ** 2;
    maxSpread += (part.max - part.mean) ** 2;
  }
  return { mean, p95: mean + Math.sqrt(p95Spread), max: mean + Math.sqrt(maxSpread) };
}

function capAt(summary: UsageSummary, ceiling: number): UsageSummary {
  const mean = Math.round(Math.min(summary.mean, ceiling));
  const p95 = Math.max(mean, Math.round(Math.min(summary.p95, ceiling)));
  return { mean, p95, max: Math.max(p95, Math.round(Math.min(summary.max, ceiling))) };
}
