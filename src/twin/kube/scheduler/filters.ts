/**
 * kube-scheduler's filter plugins the twin needs, in the default profile's order: a node fails at
 * the first plugin that rejects it, and the plugin's reasons are what the FailedScheduling
 * message counts. Each plugin answers "fits" (undefined) or "does not fit, because …".
 */
import {
  type Labels,
  type NodeSelectorTerm,
  type Toleration,
  anyNodeSelectorTermMatches,
  firstUntoleratedTaint,
  mapSelectorMatches,
  tolerates,
} from "../../../core/model/selectors.ts";
import type { KubeObject } from "../../api/types.ts";
import { isRecord } from "../../api/types.ts";
import { asList, asRecord, asText, labelsOf, tolerationsOf } from "../shared/objects.ts";
import { CPU, MEMORY, type ResourceAmounts, nonZeroRequests, podRequests } from "../shared/resources.ts";
import { TAINT } from "../shared/taints.ts";
import { requiredTerms } from "./affinity-terms.ts";
import type { NodeInfo, SchedulerCache } from "./cache.ts";
import { type AffinityState, affinityReason, preFilterAffinity } from "./inter-pod-affinity.ts";

/** A pending pod, parsed once per scheduling attempt (kube-scheduler's CycleState). */
export interface PodToSchedule {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly requests: ResourceAmounts;
  /** The positive requests in the order NodeResourcesFit reports them: cpu, memory, ephemeral-storage, then by name. */
  readonly requestOrder: readonly (readonly [string, number])[];
  readonly nonZero: { readonly cpu: number; readonly memory: number };
  readonly tolerations: readonly Toleration[];
  readonly nodeSelector: Labels | undefined;
  readonly requiredNodeTerms: readonly NodeSelectorTerm[] | undefined;
  readonly affinity: AffinityState | undefined;
}

export interface FilterPlugin {
  readonly name: string;
  filter(pod: PodToSchedule, node: NodeInfo): readonly string[] | undefined;
}

function parseNodeSelectorTerms(pod: KubeObject): NodeSelectorTerm[] | undefined {
  const required = asRecord(
    asRecord(asRecord(pod.spec?.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution,
  );
  if (!Array.isArray(required.nodeSelectorTerms)) return undefined;
  return asList(required.nodeSelectorTerms)
    .filter(isRecord)
    .map((term) => ({
      matchExpressions: asList(term.matchExpressions).filter(isRecord).map(parseRequirement),
      matchFields: asList(term.matchFields).filter(isRecord).map(parseRequirement),
    }));
}

function parseRequirement(raw: Record<string, unknown>): NonNullable<NodeSelectorTerm["matchExpressions"]>[number] {
  return {
    key: asText(raw.key) ?? "",
    operator: (asText(raw.operator) ?? "In") as "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt",
    values: asList(raw.values).filter((value): value is string => typeof value === "string"),
  };
}

export function podToSchedule(pod: KubeObject, cache: SchedulerCache): PodToSchedule {
  const labels = labelsOf(pod);
  const namespace = pod.metadata.namespace ?? "default";
  const nodeSelector = isRecord(pod.spec?.nodeSelector) ? (pod.spec.nodeSelector as Labels) : undefined;
  const requests = podRequests(pod);
  return {
    namespace,
    name: pod.metadata.name ?? "",
    labels,
    requests,
    requestOrder: [...requests]
      .filter(([, amount]) => amount > 0)
      .sort(([a], [b]) => resourceOrder(a) - resourceOrder(b) || (a < b ? -1 : 1)),
    nonZero: nonZeroRequests(pod),
    tolerations: tolerationsOf(pod),
    nodeSelector,
    requiredNodeTerms: parseNodeSelectorTerms(pod),
    affinity: preFilterAffinity(
      {
        namespace,
        labels,
        affinityTerms: requiredTerms(pod, "podAffinity"),
        antiAffinityTerms: requiredTerms(pod, "podAntiAffinity"),
      },
      cache,
    ),
  };
}

export const nodeUnschedulable: FilterPlugin = {
  name: "NodeUnschedulable",
  filter(pod, node) {
    if (!node.unschedulable) return undefined;
    const cordon = { key: TAINT.unschedulable, effect: "NoSchedule" as const };
    return pod.tolerations.some((toleration) => tolerates(toleration, cordon))
      ? undefined
      : ["node(s) were unschedulable"];
  },
};

export const taintToleration: FilterPlugin = {
  name: "TaintToleration",
  filter(pod, node) {
    const taint = firstUntoleratedTaint(node.taints, pod.tolerations, ["NoSchedule", "NoExecute"]);
    return taint ? [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`] : undefined;
  },
};

export const nodeAffinity: FilterPlugin = {
  name: "NodeAffinity",
  filter(pod, node) {
    const selected =
      mapSelectorMatches(pod.nodeSelector, node.labels) &&
      (pod.requiredNodeTerms === undefined ||
        anyNodeSelectorTermMatches(pod.requiredNodeTerms, node.name, node.labels));
    return selected ? undefined : ["node(s) didn't match Pod's node affinity/selector"];
  },
};

/** NodeResourcesFit: pods count first, then cpu, memory and the other requested resources by name. */
export const nodeResourcesFit: FilterPlugin = {
  name: "NodeResourcesFit",
  filter(pod, node) {
    let reasons: string[] | undefined;
    if (node.podCount + 1 > node.allowedPods) reasons = ["Too many pods"];
    for (const [name, wanted] of pod.requestOrder) {
      const free = (node.allocatable.get(name) ?? 0) - (node.requested.get(name) ?? 0);
      if (wanted > free) (reasons ??= []).push(`Insufficient ${name}`);
    }
    return reasons;
  },
};

function resourceOrder(name: string): number {
  if (name === CPU) return 0;
  if (name === MEMORY) return 1;
  return name === "ephemeral-storage" ? 2 : 3;
}

export const interPodAffinity: FilterPlugin = {
  name: "InterPodAffinity",
  filter(pod, node) {
    if (!pod.affinity) return undefined;
    const reason = affinityReason(pod.affinity, node);
    return reason ? [reason] : undefined;
  },
};

export const DEFAULT_FILTERS: readonly FilterPlugin[] = [
  nodeUnschedulable,
  taintToleration,
  nodeAffinity,
  nodeResourcesFit,
  interPodAffinity,
];

/** The first plugin's reasons for rejecting the node, or undefined when it fits. */
export function runFilters(
  filters: readonly FilterPlugin[],
  pod: PodToSchedule,
  node: NodeInfo,
): readonly string[] | undefined {
  for (const plugin of filters) {
    const reasons = plugin.filter(pod, node);
    if (reasons) return reasons;
  }
  return undefined;
}
