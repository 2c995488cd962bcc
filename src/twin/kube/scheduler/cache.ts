/**
 * The scheduler's view of the cluster (kube-scheduler's cache): per node its labels, taints,
 * allocatable and what the pods bound to it request; per bound pod what inter-pod affinity needs.
 * Pods in a terminal phase are left out, as the scheduler's informer filters them; terminating
 * pods still count until they are gone. Kept current incrementally, so one scheduling attempt
 * never walks every pod.
 */
import type { Labels } from "../../../core/model/selectors.ts";
import type { KubeObject } from "../../api/types.ts";
import {
  type NodeTaint,
  isTerminal,
  isUnschedulable,
  keyOf,
  labelsOf,
  nameOf,
  podNodeName,
  taintsOf,
} from "../shared/objects.ts";
import {
  PODS,
  type ResourceAmounts,
  addAmounts,
  allocatableOf,
  nonZeroRequests,
  podRequests,
} from "../shared/resources.ts";
import { type AffinityTerm, type NamespaceLabels, requiredTerms, termMatches } from "./affinity-terms.ts";

export interface NodeInfo {
  readonly name: string;
  readonly labels: Labels;
  readonly taints: readonly NodeTaint[];
  readonly unschedulable: boolean;
  readonly allocatable: ResourceAmounts;
  readonly allowedPods: number;
  /** What the scheduling decision depends on, to tell a relevant node update from a heartbeat. */
  readonly fingerprint: string;
  readonly requested: ResourceAmounts;
  nonZeroCpu: number;
  nonZeroMemory: number;
  podCount: number;
}

export interface PlacedPod {
  readonly key: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly node: string;
  readonly generation: number;
  readonly requests: ResourceAmounts;
  readonly nonZero: { readonly cpu: number; readonly memory: number };
  readonly antiAffinity: readonly AffinityTerm[];
}

/** Existing pods' required anti-affinity, grouped by identical term, counted per node. */
export interface ExistingAntiAffinity {
  readonly term: AffinityTerm;
  readonly perNode: Map<string, number>;
}

function labelKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

function addToSet<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function removeFromSet<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
}

function nodeFingerprint(node: KubeObject, allocatable: ResourceAmounts): string {
  return JSON.stringify([node.metadata.labels, node.spec?.taints, isUnschedulable(node), [...allocatable]]);
}

/** A node's scheduling view; what its pods request carries over from the previous view. */
function nodeInfo(
  node: KubeObject,
  allocatable: ResourceAmounts,
  fingerprint: string,
  previous: NodeInfo | undefined,
): NodeInfo {
  return {
    name: nameOf(node),
    labels: labelsOf(node),
    taints: taintsOf(node),
    unschedulable: isUnschedulable(node),
    allocatable,
    allowedPods: allocatable.get(PODS) ?? 0,
    fingerprint,
    requested: previous ? previous.requested : new Map<string, number>(),
    nonZeroCpu: previous ? previous.nonZeroCpu : 0,
    nonZeroMemory: previous ? previous.nonZeroMemory : 0,
    podCount: previous ? previous.podCount : 0,
  };
}

export class SchedulerCache {
  readonly nodes = new Map<string, NodeInfo>();
  private ordered: NodeInfo[] | undefined;
  readonly placed = new Map<string, PlacedPod>();
  private readonly podsByNode = new Map<string, Set<string>>();
  private readonly byLabel = new Map<string, Set<string>>();
  private readonly byNamespace = new Map<string, Set<string>>();
  readonly existingAntiAffinity = new Map<string, ExistingAntiAffinity>();
  readonly namespaceLabels: NamespaceLabels;

  constructor(namespaceLabels: NamespaceLabels) {
    this.namespaceLabels = namespaceLabels;
  }

  /** Adds or refreshes a node; true when something the scheduler decides on changed. */
  upsertNode(node: KubeObject): boolean {
    const name = nameOf(node);
    const allocatable = allocatableOf(node);
    const fingerprint = nodeFingerprint(node, allocatable);
    const previous = this.nodes.get(name);
    if (previous?.fingerprint === fingerprint) return false;
    const info = nodeInfo(node, allocatable, fingerprint, previous);
    this.nodes.set(name, info);
    this.ordered = undefined;
    if (!previous) {
      for (const key of this.podsByNode.get(name) ?? []) this.account(info, this.placed.get(key), 1);
    }
    return true;
  }

  removeNode(name: string): void {
    if (this.nodes.delete(name)) this.ordered = undefined;
  }

  /**
   * Node names in kube-scheduler's NodeTree order: zones round-robin, so consecutive candidates
   * spread over zones; sorted within a zone.
   */
  nodeOrder(): readonly NodeInfo[] {
    if (this.ordered) return this.ordered;
    const zones = new Map<string, NodeInfo[]>();
    for (const info of [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const zone = `${info.labels["topology.kubernetes.io/region"] ?? ""}:\u0000:${info.labels["topology.kubernetes.io/zone"] ?? ""}`;
      const list = zones.get(zone) ?? [];
      list.push(info);
      zones.set(zone, list);
    }
    const lists = [...zones.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, infos]) => infos);
    const order: NodeInfo[] = [];
    for (let index = 0; order.length < this.nodes.size; index += 1) {
      for (const infos of lists) if (index < infos.length) order.push(infos[index] as NodeInfo);
    }
    this.ordered = order;
    return order;
  }

  /** Records a pod bound to a node (or forgets it when it is unbound or terminal); true when the cache changed. */
  updatePod(pod: KubeObject): boolean {
    const key = keyOf(pod);
    const node = podNodeName(pod);
    const existing = this.placed.get(key);
    if (node === undefined || isTerminal(pod)) return this.removePod(key);
    const generation = pod.metadata.generation ?? 1;
    const labels = labelsOf(pod);
    if (existing && existing.node === node && existing.generation === generation && sameLabels(existing.labels, labels))
      return false;
    this.removePod(key);
    this.addPod({
      key,
      namespace: pod.metadata.namespace ?? "default",
      labels,
      node,
      generation,
      requests: podRequests(pod),
      nonZero: nonZeroRequests(pod),
      antiAffinity: requiredTerms(pod, "podAntiAffinity"),
    });
    return true;
  }

  removePod(key: string): boolean {
    const pod = this.placed.get(key);
    if (!pod) return false;
    this.placed.delete(key);
    removeFromSet(this.podsByNode, pod.node, key);
    removeFromSet(this.byNamespace, pod.namespace, key);
    for (const [label, value] of Object.entries(pod.labels)) removeFromSet(this.byLabel, labelKey(label, value), key);
    this.countAntiAffinity(pod, -1);
    const info = this.nodes.get(pod.node);
    if (info) this.account(info, pod, -1);
    return true;
  }

  private addPod(pod: PlacedPod): void {
    this.placed.set(pod.key, pod);
    addToSet(this.podsByNode, pod.node, pod.key);
    addToSet(this.byNamespace, pod.namespace, pod.key);
    for (const [label, value] of Object.entries(pod.labels)) addToSet(this.byLabel, labelKey(label, value), pod.key);
    this.countAntiAffinity(pod, 1);
    const info = this.nodes.get(pod.node);
    if (info) this.account(info, pod, 1);
  }

  private account(info: NodeInfo, pod: PlacedPod | undefined, sign: 1 | -1): void {
    if (!pod) return;
    addAmounts(info.requested, pod.requests, sign);
    info.nonZeroCpu += sign * pod.nonZero.cpu;
    info.nonZeroMemory += sign * pod.nonZero.memory;
    info.podCount += sign;
  }

  private countAntiAffinity(pod: PlacedPod, sign: 1 | -1): void {
    for (const term of pod.antiAffinity) {
      let entry = this.existingAntiAffinity.get(term.signature);
      if (!entry) {
        entry = { term, perNode: new Map() };
        this.existingAntiAffinity.set(term.signature, entry);
      }
      const count = (entry.perNode.get(pod.node) ?? 0) + sign;
      if (count > 0) entry.perNode.set(pod.node, count);
      else entry.perNode.delete(pod.node);
      if (entry.perNode.size === 0) this.existingAntiAffinity.delete(term.signature);
    }
  }

  /** Bound pods a term selects, found through the label index when the selector names labels. */
  podsMatching(term: AffinityTerm): PlacedPod[] {
    const found: PlacedPod[] = [];
    for (const key of this.candidates(term)) {
      const pod = this.placed.get(key);
      if (pod && termMatches(term, pod, this.namespaceLabels)) found.push(pod);
    }
    return found;
  }

  private candidates(term: AffinityTerm): Iterable<string> {
    let smallest: Set<string> | undefined;
    for (const [label, value] of Object.entries(term.selector?.matchLabels ?? {})) {
      const keys = this.byLabel.get(labelKey(label, value)) ?? new Set<string>();
      if (!smallest || keys.size < smallest.size) smallest = keys;
    }
    if (smallest) return smallest;
    if (!term.namespaceSelector)
      return [...term.namespaces].flatMap((namespace) => [...(this.byNamespace.get(namespace) ?? [])]);
    return this.placed.keys();
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
