/**
 * Taints, tolerations and affinity, copied field by field into the snapshot's strict shapes. Fields
 * the snapshot does not model (matchLabelKeys, mismatchLabelKeys, future additions) are dropped;
 * an unknown operator or effect is reported, because guessing would change where a VM may run.
 */
import type { SnapshotNode, SnapshotVm } from "../../../core/model/snapshot.ts";
import type { Affinity } from "../../../core/schema/fields.ts";
import { compact } from "./compact.ts";
import type { Field } from "./field.ts";

type Taint = SnapshotNode["taints"][number];
type Toleration = SnapshotVm["tolerations"][number];
type NodeAffinity = NonNullable<Affinity["nodeAffinity"]>;
type PodAffinity = NonNullable<Affinity["podAffinity"]>;
type PodAffinityTerm = NonNullable<PodAffinity["requiredDuringSchedulingIgnoredDuringExecution"]>[number];
type NodeSelectorTerm = NonNullable<
  NodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"]
>["nodeSelectorTerms"][number];
type LabelSelector = NonNullable<PodAffinityTerm["labelSelector"]>;
type SelectorRequirement = NonNullable<LabelSelector["matchExpressions"]>[number];

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;
const TOLERATION_OPERATORS = ["Exists", "Equal"] as const;
const SELECTOR_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"] as const;

export function taintFrom(field: Field): Taint | undefined {
  const key = field.key("key").required().string();
  const effect = field.key("effect").required().oneOf(TAINT_EFFECTS);
  if (key === undefined || effect === undefined) return undefined;
  return compact({
    key,
    value: field.key("value").string(),
    effect,
    timeAdded: field.key("timeAdded").timestamp(),
  });
}

export function tolerationFrom(field: Field): Toleration {
  return compact({
    key: field.key("key").string(),
    operator: field.key("operator").oneOf(TOLERATION_OPERATORS),
    value: field.key("value").string(),
    effect: field.key("effect").oneOf(TAINT_EFFECTS),
    tolerationSeconds: field.key("tolerationSeconds").integer(),
  });
}

function requirementFrom(field: Field): SelectorRequirement | undefined {
  const key = field.key("key").required().string();
  const operator = field.key("operator").required().oneOf(SELECTOR_OPERATORS);
  if (key === undefined || operator === undefined) return undefined;
  return compact({ key, operator, values: field.key("values").stringList() });
}

function labelSelectorFrom(field: Field): LabelSelector | undefined {
  if (!field.present) return undefined;
  return compact({
    matchLabels: field.key("matchLabels").stringMap(),
    matchExpressions: field.key("matchExpressions").listOf(requirementFrom),
  });
}

function nodeSelectorTermFrom(field: Field): NodeSelectorTerm {
  return compact({
    matchExpressions: field.key("matchExpressions").listOf(requirementFrom),
    matchFields: field.key("matchFields").listOf(requirementFrom),
  });
}

function weightOf(field: Field): number | undefined {
  return field.key("weight").required().integer(1, 100);
}

function preferredNodeTermFrom(field: Field): { weight: number; preference: NodeSelectorTerm } | undefined {
  const weight = weightOf(field);
  const preference = field.key("preference").required();
  if (weight === undefined || !preference.present) return undefined;
  return { weight, preference: nodeSelectorTermFrom(preference) };
}

function nodeAffinityFrom(field: Field): NodeAffinity | undefined {
  if (!field.present) return undefined;
  const required = field.key("requiredDuringSchedulingIgnoredDuringExecution");
  return compact({
    requiredDuringSchedulingIgnoredDuringExecution: required.present
      ? { nodeSelectorTerms: required.key("nodeSelectorTerms").required().listOf(nodeSelectorTermFrom) ?? [] }
      : undefined,
    preferredDuringSchedulingIgnoredDuringExecution: field
      .key("preferredDuringSchedulingIgnoredDuringExecution")
      .listOf(preferredNodeTermFrom),
  });
}

function podAffinityTermFrom(field: Field): PodAffinityTerm | undefined {
  const topologyKey = field.key("topologyKey").required().string();
  if (topologyKey === undefined) return undefined;
  return compact({
    labelSelector: labelSelectorFrom(field.key("labelSelector")),
    namespaces: field.key("namespaces").stringList(),
    namespaceSelector: labelSelectorFrom(field.key("namespaceSelector")),
    topologyKey,
  });
}

function weightedPodAffinityTermFrom(field: Field): { weight: number; podAffinityTerm: PodAffinityTerm } | undefined {
  const weight = weightOf(field);
  const podAffinityTerm = podAffinityTermFrom(field.key("podAffinityTerm").required());
  if (weight === undefined || podAffinityTerm === undefined) return undefined;
  return { weight, podAffinityTerm };
}

function podAffinityFrom(field: Field): PodAffinity | undefined {
  if (!field.present) return undefined;
  return compact({
    requiredDuringSchedulingIgnoredDuringExecution: field
      .key("requiredDuringSchedulingIgnoredDuringExecution")
      .listOf(podAffinityTermFrom),
    preferredDuringSchedulingIgnoredDuringExecution: field
      .key("preferredDuringSchedulingIgnoredDuringExecution")
      .listOf(weightedPodAffinityTermFrom),
  });
}

/** corev1.Affinity with only the fields the snapshot models; undefined when none is set. */
export function affinityFrom(field: Field): Affinity | undefined {
  if (!field.present) return undefined;
  const affinity = compact({
    nodeAffinity: nodeAffinityFrom(field.key("nodeAffinity")),
    podAffinity: podAffinityFrom(field.key("podAffinity")),
    podAntiAffinity: podAffinityFrom(field.key("podAntiAffinity")),
  });
  return Object.keys(affinity).length > 0 ? affinity : undefined;
}
