/**
 * Kubernetes selector semantics: label selectors, node selector terms and taint tolerations,
 * as kube-scheduler evaluates them (k8s.io/component-helpers/scheduling/corev1).
 */

export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values?: readonly string[] | undefined;
}

/** metav1.LabelSelector. An empty selector matches everything. */
export interface LabelSelector {
  readonly matchLabels?: Labels | undefined;
  readonly matchExpressions?: readonly SelectorRequirement[] | undefined;
}

/** corev1.NodeSelectorTerm: expressions on labels, fields on metadata.name. */
export interface NodeSelectorTerm {
  readonly matchExpressions?: readonly SelectorRequirement[] | undefined;
  readonly matchFields?: readonly SelectorRequirement[] | undefined;
}

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
  readonly key: string;
  readonly value?: string | undefined;
  readonly effect: TaintEffect;
}

export interface Toleration {
  readonly key?: string | undefined;
  readonly operator?: "Exists" | "Equal" | undefined;
  readonly value?: string | undefined;
  readonly effect?: TaintEffect | undefined;
  readonly tolerationSeconds?: number | undefined;
}

export function requirementMatches(requirement: SelectorRequirement, labels: Labels): boolean {
  const value = labels[requirement.key];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt":
      return compareNumeric(requirement.operator, value, values[0]);
  }
}

function compareNumeric(operator: "Gt" | "Lt", value: string | undefined, bound: string | undefined): boolean {
  if (value === undefined || bound === undefined) return false;
  const left = Number.parseInt(value, 10);
  const right = Number.parseInt(bound, 10);
  if (Number.isNaN(left) || Number.isNaN(right)) return false;
  return operator === "Gt" ? left > right : left < right;
}

export function labelSelectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((requirement) => requirementMatches(requirement, labels));
}

/** True when every pair of `selector` is present in `labels` (a Pod or VMI nodeSelector). */
export function mapSelectorMatches(selector: Labels | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector)) {
    if (labels[key] !== value) return false;
  }
  return true;
}

/** A term matches when all its expressions and fields match; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, nodeName: string, labels: Labels): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const nodeFields: Labels = { "metadata.name": nodeName };
  return (
    expressions.every((requirement) => requirementMatches(requirement, labels)) &&
    fields.every((requirement) => requirementMatches(requirement, nodeFields))
  );
}

/** Terms are ORed, as in requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms. */
export function anyNodeSelectorTermMatches(
  terms: readonly NodeSelectorTerm[],
  nodeName: string,
  labels: Labels,
): boolean {
  return terms.some((term) => nodeSelectorTermMatches(term, nodeName, labels));
}

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect !== undefined && toleration.effect !== taint.effect) return false;
  if (toleration.key === undefined || toleration.key === "") {
    return toleration.operator === "Exists";
  }
  if (toleration.key !== taint.key) return false;
  if (toleration.operator === "Exists") return true;
  return (toleration.value ?? "") === (taint.value ?? "");
}

/** The first taint with one of `effects` that no toleration covers, if any. */
export function firstUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  effects: readonly TaintEffect[],
): Taint | undefined {
  return taints.find(
    (taint) => effects.includes(taint.effect) && !tolerations.some((toleration) => tolerates(toleration, taint)),
  );
}

export function describeSelector(selector: LabelSelector | undefined): string {
  if (!selector) return "<all>";
  const parts = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const requirement of selector.matchExpressions ?? []) {
    const values = requirement.values?.length ? ` (${requirement.values.join(",")})` : "";
    parts.push(`${requirement.key} ${requirement.operator}${values}`);
  }
  return parts.length === 0 ? "<all>" : parts.join(", ");
}
