/**
 * PodDisruptionBudget arithmetic (pkg/controller/disruption): how many of the selected pods must
 * stay healthy and how many may be disrupted now. minAvailable as an integer counts against the
 * selected pods; a percentage (of minAvailable or maxUnavailable) is taken of the expected pod
 * count, rounding up. The real controller asks the pods' controllers for their scale; the twin
 * takes the number of selected pods instead (virt-launcher pods have no scalable controller).
 */
import type { LabelSelector } from "../../../core/model/selectors.ts";
import { type KubeObject, isRecord } from "../../api/types.ts";
import { asList, asText } from "../shared/objects.ts";

export type IntOrPercent = number | string;

export interface BudgetSpec {
  /** Undefined: the budget selects no pod (a null selector in policy/v1). */
  readonly selector: LabelSelector | undefined;
  readonly minAvailable: IntOrPercent | undefined;
  readonly maxUnavailable: IntOrPercent | undefined;
  readonly unhealthyPodEvictionPolicy: "IfHealthyBudget" | "AlwaysAllow";
}

export function budgetSpecOf(pdb: KubeObject): BudgetSpec {
  const spec = pdb.spec ?? {};
  const raw = spec.selector;
  const selector = isRecord(raw)
    ? {
        matchLabels: isRecord(raw.matchLabels) ? (raw.matchLabels as Record<string, string>) : undefined,
        matchExpressions: asList(raw.matchExpressions)
          .filter(isRecord)
          .map((expression) => ({
            key: asText(expression.key) ?? "",
            operator: (asText(expression.operator) ?? "In") as "In" | "NotIn" | "Exists" | "DoesNotExist",
            values: asList(expression.values).filter((value): value is string => typeof value === "string"),
          })),
      }
    : undefined;
  return {
    selector,
    minAvailable: intOrPercent(spec.minAvailable),
    maxUnavailable: intOrPercent(spec.maxUnavailable),
    unhealthyPodEvictionPolicy: spec.unhealthyPodEvictionPolicy === "AlwaysAllow" ? "AlwaysAllow" : "IfHealthyBudget",
  };
}

function intOrPercent(value: unknown): IntOrPercent | undefined {
  return typeof value === "number" || typeof value === "string" ? value : undefined;
}

/** intstr.GetScaledValueFromIntOrPercent with roundUp. */
export function scaled(value: IntOrPercent, total: number): number {
  if (typeof value === "number") return value;
  const match = /^(\d+)%$/.exec(value.trim());
  if (match) return Math.ceil((Number(match[1]) * total) / 100);
  const parsed = Number.parseInt(value, 10);
  return Number.isNaN(parsed) ? 0 : parsed;
}

export interface BudgetCounts {
  readonly expectedPods: number;
  readonly desiredHealthy: number;
  readonly currentHealthy: number;
  readonly disruptionsAllowed: number;
}

/** getExpectedPodCount and updatePdbStatus: disruptionsAllowed = currentHealthy − desiredHealthy, never below 0. */
export function budgetCounts(spec: BudgetSpec, selectedPods: number, currentHealthy: number): BudgetCounts {
  const expectedPods = selectedPods;
  let desiredHealthy = 0;
  if (spec.maxUnavailable !== undefined) {
    desiredHealthy = Math.max(0, expectedPods - scaled(spec.maxUnavailable, expectedPods));
  } else if (spec.minAvailable !== undefined) {
    desiredHealthy = scaled(spec.minAvailable, expectedPods);
  }
  const allowed = expectedPods <= 0 ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  return { expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed: allowed };
}
