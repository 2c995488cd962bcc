/**
 * kube-scheduler's NodeResourcesFit score with the LeastAllocated strategy on cpu and memory
 * (weight 1 each): the share of allocatable left after placing the pod, 0–100, counting pods
 * without requests at the scheduler's defaults (100m, 200Mi). Integer arithmetic, as in Go.
 */
import { CPU, MEMORY } from "../shared/resources.ts";
import type { NodeInfo } from "./cache.ts";
import type { PodToSchedule } from "./filters.ts";

const MAX_NODE_SCORE = 100;

function leastRequested(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function leastAllocatedScore(pod: PodToSchedule, node: NodeInfo): number {
  const cpu = leastRequested(node.nonZeroCpu + pod.nonZero.cpu, node.allocatable.get(CPU) ?? 0);
  const memory = leastRequested(node.nonZeroMemory + pod.nonZero.memory, node.allocatable.get(MEMORY) ?? 0);
  return Math.floor((cpu + memory) / 2);
}
