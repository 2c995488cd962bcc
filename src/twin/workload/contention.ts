/**
 * How an oversubscribed host shares its CPU: weighted max-min fairness, which is what the Linux
 * CFS scheduler converges to for cgroups whose cpu.weight follows their requests (KubeVirt sizes a
 * virt-launcher's request by its vCPUs). A guest that asks for less than its fair share gets all it
 * asks; what it leaves is shared among the rest in proportion to their weights.
 */

/** Writes each guest's grant into `granted`; returns the total granted. */
export function fairShare(
  demands: Float64Array,
  weights: Float64Array,
  capacity: number,
  granted: Float64Array,
): number {
  const count = demands.length;
  let total = 0;
  for (let index = 0; index < count; index += 1) total += demands[index] ?? 0;
  if (total <= capacity) {
    granted.set(demands);
    return total;
  }
  // Least demand per unit of weight first: once one guest is capped at its fair level, so are all after it.
  const order = Array.from({ length: count }, (_, index) => index);
  const need = (index: number): number => (demands[index] ?? 0) / (weights[index] ?? 1);
  order.sort((a, b) => need(a) - need(b) || a - b);
  let remaining = Math.max(0, capacity);
  let weightLeft = 0;
  for (let index = 0; index < count; index += 1) weightLeft += weights[index] ?? 0;
  for (const index of order) {
    const weight = weights[index] ?? 0;
    const fair = weightLeft > 0 ? (remaining * weight) / weightLeft : 0;
    const grant = Math.min(demands[index] ?? 0, fair);
    granted[index] = grant;
    remaining -= grant;
    weightLeft -= weight;
  }
  return Math.max(0, capacity);
}
