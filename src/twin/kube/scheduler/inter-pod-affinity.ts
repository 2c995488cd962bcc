/**
 * kube-scheduler's InterPodAffinity filter (pkg/scheduler/framework/plugins/interpodaffinity):
 * PreFilter counts, per topology pair (key, value), the bound pods that the incoming pod's
 * required affinity and anti-affinity terms select, and the existing pods whose required
 * anti-affinity selects the incoming pod (the symmetric rule); Filter then checks one node's
 * topology labels against those counts.
 */
import type { Labels } from "../../../core/model/selectors.ts";
import type { AffinityTerm } from "./affinity-terms.ts";
import { termMatches } from "./affinity-terms.ts";
import type { NodeInfo, SchedulerCache } from "./cache.ts";

export const AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
export const EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";

export interface AffinityState {
  readonly affinityTerms: readonly AffinityTerm[];
  readonly antiAffinityTerms: readonly AffinityTerm[];
  /** Pods matching all affinity terms, per topology pair. */
  readonly affinityCounts: Map<string, number>;
  readonly antiAffinityCounts: Map<string, number>;
  /** Topology values, per key, where an existing pod's anti-affinity forbids the incoming pod. */
  readonly forbiddenByExisting: Map<string, Set<string>>;
  /** The pod would match its own affinity terms: the first pod of a group may go anywhere. */
  readonly matchesOwnAffinity: boolean;
}

export interface IncomingPod {
  readonly namespace: string;
  readonly labels: Labels;
  readonly affinityTerms: readonly AffinityTerm[];
  readonly antiAffinityTerms: readonly AffinityTerm[];
}

function pair(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Undefined when neither the pod nor any bound pod has required inter-pod terms: nothing to check. */
export function preFilterAffinity(pod: IncomingPod, cache: SchedulerCache): AffinityState | undefined {
  if (pod.affinityTerms.length === 0 && pod.antiAffinityTerms.length === 0 && cache.existingAntiAffinity.size === 0)
    return undefined;
  return {
    affinityTerms: pod.affinityTerms,
    antiAffinityTerms: pod.antiAffinityTerms,
    affinityCounts: countAffinity(pod.affinityTerms, cache),
    antiAffinityCounts: countAntiAffinity(pod.antiAffinityTerms, cache),
    forbiddenByExisting: existingAntiAffinity(pod, cache),
    matchesOwnAffinity: pod.affinityTerms.every((term) => termMatches(term, pod, cache.namespaceLabels)),
  };
}

function countAffinity(terms: readonly AffinityTerm[], cache: SchedulerCache): Map<string, number> {
  const counts = new Map<string, number>();
  const [first, ...rest] = terms;
  if (!first) return counts;
  for (const pod of cache.podsMatching(first)) {
    if (!rest.every((term) => termMatches(term, pod, cache.namespaceLabels))) continue;
    const labels = cache.nodes.get(pod.node)?.labels ?? {};
    for (const term of terms) {
      const value = labels[term.topologyKey];
      if (value !== undefined) increment(counts, pair(term.topologyKey, value));
    }
  }
  return counts;
}

function countAntiAffinity(terms: readonly AffinityTerm[], cache: SchedulerCache): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) {
    for (const pod of cache.podsMatching(term)) {
      const value = cache.nodes.get(pod.node)?.labels[term.topologyKey];
      if (value !== undefined) increment(counts, pair(term.topologyKey, value));
    }
  }
  return counts;
}

function existingAntiAffinity(pod: IncomingPod, cache: SchedulerCache): Map<string, Set<string>> {
  const forbidden = new Map<string, Set<string>>();
  for (const { term, perNode } of cache.existingAntiAffinity.values()) {
    if (!termMatches(term, pod, cache.namespaceLabels)) continue;
    for (const node of perNode.keys()) {
      const value = cache.nodes.get(node)?.labels[term.topologyKey];
      if (value === undefined) continue;
      const values = forbidden.get(term.topologyKey) ?? new Set<string>();
      values.add(value);
      forbidden.set(term.topologyKey, values);
    }
  }
  return forbidden;
}

function satisfiesAffinity(state: AffinityState, node: NodeInfo): boolean {
  let podsExist = true;
  for (const term of state.affinityTerms) {
    const value = node.labels[term.topologyKey];
    if (value === undefined) return false;
    if ((state.affinityCounts.get(pair(term.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  return podsExist || (state.affinityCounts.size === 0 && state.matchesOwnAffinity);
}

function satisfiesAntiAffinity(state: AffinityState, node: NodeInfo): boolean {
  return state.antiAffinityTerms.every((term) => {
    const value = node.labels[term.topologyKey];
    return value === undefined || (state.antiAffinityCounts.get(pair(term.topologyKey, value)) ?? 0) <= 0;
  });
}

function satisfiesExistingAntiAffinity(state: AffinityState, node: NodeInfo): boolean {
  for (const [key, values] of state.forbiddenByExisting) {
    const value = node.labels[key];
    if (value !== undefined && values.has(value)) return false;
  }
  return true;
}

/** The reason the node fails, in kube-scheduler's order of checks; undefined when it passes. */
export function affinityReason(state: AffinityState, node: NodeInfo): string | undefined {
  if (!satisfiesAffinity(state, node)) return AFFINITY_RULES_NOT_MATCH;
  if (!satisfiesAntiAffinity(state, node)) return ANTI_AFFINITY_RULES_NOT_MATCH;
  if (!satisfiesExistingAntiAffinity(state, node)) return EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH;
  return undefined;
}
