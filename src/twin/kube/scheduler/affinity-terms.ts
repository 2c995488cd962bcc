/**
 * Required inter-pod (anti-)affinity terms, resolved the way kube-scheduler resolves them
 * (framework.AffinityTerm): the namespaces a term covers default to the pod's own when neither
 * namespaces nor namespaceSelector is set; a nil label selector matches no pod, an empty one
 * every pod.
 */
import { type LabelSelector, type Labels, labelSelectorMatches } from "../../../core/model/selectors.ts";
import { type KubeObject, isRecord } from "../../api/types.ts";
import { asList, asRecord, asText } from "../shared/objects.ts";

export interface AffinityTerm {
  readonly topologyKey: string;
  /** Undefined: the term selects no pod. */
  readonly selector: LabelSelector | undefined;
  readonly namespaces: ReadonlySet<string>;
  /** Undefined: no namespace is selected by labels. */
  readonly namespaceSelector: LabelSelector | undefined;
  /** Identical terms of different pods share one signature, so they are indexed once. */
  readonly signature: string;
}

export type NamespaceLabels = (namespace: string) => Labels;

function parseSelector(value: unknown): LabelSelector | undefined {
  if (!isRecord(value)) return undefined;
  const matchLabels = isRecord(value.matchLabels) ? (value.matchLabels as Record<string, string>) : undefined;
  const matchExpressions = asList(value.matchExpressions)
    .filter(isRecord)
    .map((raw) => ({
      key: asText(raw.key) ?? "",
      operator: (asText(raw.operator) ?? "In") as "In" | "NotIn" | "Exists" | "DoesNotExist",
      values: asList(raw.values).filter((item): item is string => typeof item === "string"),
    }));
  return { matchLabels, matchExpressions };
}

function resolveTerm(raw: Record<string, unknown>, ownNamespace: string): AffinityTerm | undefined {
  const topologyKey = asText(raw.topologyKey);
  if (!topologyKey) return undefined;
  const selector = parseSelector(raw.labelSelector);
  const namespaceSelector = parseSelector(raw.namespaceSelector);
  const listed = asList(raw.namespaces).filter((item): item is string => typeof item === "string");
  const namespaces = new Set(listed.length === 0 && !namespaceSelector ? [ownNamespace] : listed);
  const signature = JSON.stringify([topologyKey, selector ?? null, [...namespaces].sort(), namespaceSelector ?? null]);
  return { topologyKey, selector, namespaces, namespaceSelector, signature };
}

/** spec.affinity.{podAffinity|podAntiAffinity}.requiredDuringSchedulingIgnoredDuringExecution. */
export function requiredTerms(pod: KubeObject, kind: "podAffinity" | "podAntiAffinity"): AffinityTerm[] {
  const section = asRecord(asRecord(pod.spec?.affinity)[kind]);
  const namespace = pod.metadata.namespace ?? "default";
  return asList(section.requiredDuringSchedulingIgnoredDuringExecution)
    .filter(isRecord)
    .map((raw) => resolveTerm(raw, namespace))
    .filter((term): term is AffinityTerm => term !== undefined);
}

export function termMatches(
  term: AffinityTerm,
  pod: { readonly namespace: string; readonly labels: Labels },
  namespaceLabels: NamespaceLabels,
): boolean {
  if (!term.selector) return false;
  const inNamespace =
    term.namespaces.has(pod.namespace) ||
    (term.namespaceSelector !== undefined &&
      labelSelectorMatches(term.namespaceSelector, namespaceLabels(pod.namespace)));
  return inNamespace && labelSelectorMatches(term.selector, pod.labels);
}
