/**
 * The FailedScheduling message of kube-scheduler's FitError: each reason counted over the nodes
 * it rejected, "<count> <reason>" sorted as strings, e.g.
 * "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient memory."
 */

export function fitErrorMessage(totalNodes: number, rejections: Iterable<readonly string[]>): string {
  if (totalNodes === 0) return "no nodes available to schedule pods";
  const counts = new Map<string, number>();
  for (const reasons of rejections) for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  const histogram = [...counts].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${totalNodes} nodes are available: ${histogram.join(", ")}.`;
}
