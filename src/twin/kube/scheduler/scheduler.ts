/**
 * kube-scheduler for the pods the twin runs: pods without a node whose schedulerName is
 * default-scheduler (or unset) are bound in the order they were created. Each attempt filters
 * nodes (NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit, InterPodAffinity),
 * stops once it has found as many feasible nodes as percentageOfNodesToScore asks for, scores
 * them LeastAllocated and picks the best at random among ties. A pod that fits nowhere gets
 * PodScheduled=False/Unschedulable and a FailedScheduling event, and is retried when nodes or
 * pods change (after a back-off) and every few seconds.
 *
 * A pod annotated twin.kubedrs.io/initial-node goes to that node when it fits there: the
 * scenario uses it to lay out a cluster's first VMs as they were.
 */
import type { Rng } from "../../../core/numeric/rng.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { StoreEvent } from "../../store/store.ts";
import type { SchedulerSettings } from "../options.ts";
import { setCondition } from "../shared/conditions.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import {
  annotationOf,
  isDeleting,
  isTerminal,
  keyOf,
  labelsOf,
  nameOf,
  podNodeName,
  refOf,
  schedulerNameOf,
} from "../shared/objects.ts";
import { type NodeInfo, SchedulerCache } from "./cache.ts";
import { fitErrorMessage } from "./fit-error.ts";
import { DEFAULT_FILTERS, type PodToSchedule, podToSchedule, runFilters } from "./filters.ts";
import { leastAllocatedScore } from "./scoring.ts";

export const INITIAL_NODE_ANNOTATION = "twin.kubedrs.io/initial-node";
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

/** kube-scheduler's minFeasibleNodesToFind and minFeasibleNodesPercentageToFind. */
const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENTAGE = 5;
/** The event recorder's spam filter lets a repeated event through about every five minutes. */
const REPEAT_EVENT_MS = 5 * 60_000;

interface QueuedPod {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  /** False while unschedulable, until a cluster change or the periodic flush retries it. */
  active: boolean;
  lastMessage?: string;
  lastEventAt?: number;
}

/** How many feasible nodes an attempt looks for before it stops filtering (numFeasibleNodesToFind). */
export function feasibleNodesToFind(allNodes: number, percentageOfNodesToScore: number): number {
  if (allNodes < MIN_FEASIBLE_NODES) return allNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) percentage = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - Math.floor(allNodes / 125));
  return Math.max(MIN_FEASIBLE_NODES, Math.floor((allNodes * percentage) / 100));
}

export class Scheduler extends ControllerBase {
  readonly name = "kube-scheduler";
  private readonly settings: SchedulerSettings;
  private readonly cache: SchedulerCache;
  private readonly queue = new Map<string, QueuedPod>();
  /** The queued pods that failed their last attempt: only these wait for a retry. */
  private readonly unschedulable = new Set<QueuedPod>();
  private readonly rng: Rng;
  private passAt: number | undefined;
  private nextStartNodeIndex = 0;

  constructor(runtime: TwinRuntime, settings: SchedulerSettings) {
    super(runtime, "kube-scheduler", DEFAULT_SCHEDULER_NAME);
    this.settings = settings;
    this.rng = runtime.rng("kube-scheduler");
    const { store, resources } = runtime;
    this.cache = new SchedulerCache((namespace) => {
      const found = store.get(resources.namespaces, undefined, namespace);
      return found ? labelsOf(found) : {};
    });
    for (const node of store.list(resources.nodes)) this.cache.upsertNode(node);
    for (const pod of store.list(resources.pods))
      this.onPod({ type: "ADDED", resource: resources.pods, object: pod, old: undefined });
    this.watch(resources.nodes, (event) => this.onNode(event));
    this.watch(resources.pods, (event) => this.onPod(event));
    this.every(settings.retrySeconds * 1000, () => this.retryUnschedulable(0));
  }

  private onNode(event: StoreEvent): void {
    if (event.type === "DELETED") {
      this.cache.removeNode(nameOf(event.object));
      return;
    }
    if (this.cache.upsertNode(event.object)) this.retryUnschedulable(this.settings.backoffSeconds * 1000);
  }

  private onPod(event: StoreEvent): void {
    const pod = event.object;
    const key = keyOf(pod);
    if (event.type === "DELETED") {
      this.dequeue(key);
      if (this.cache.removePod(key)) this.retryUnschedulable(this.settings.backoffSeconds * 1000);
      return;
    }
    if (podNodeName(pod) !== undefined || isTerminal(pod)) {
      this.dequeue(key);
      if (this.cache.updatePod(pod)) this.retryUnschedulable(this.settings.backoffSeconds * 1000);
      return;
    }
    if (!this.wantsScheduling(pod)) this.dequeue(key);
    else if (!this.queue.has(key)) this.enqueue(key, pod);
  }

  private wantsScheduling(pod: KubeObject): boolean {
    return schedulerNameOf(pod) === DEFAULT_SCHEDULER_NAME && !isDeleting(pod);
  }

  private dequeue(key: string): void {
    const item = this.queue.get(key);
    if (!item) return;
    this.queue.delete(key);
    this.unschedulable.delete(item);
  }

  private enqueue(key: string, pod: KubeObject): void {
    this.queue.set(key, { key, namespace: pod.metadata.namespace ?? "default", name: nameOf(pod), active: true });
    this.requestPass(0);
  }

  /** Cluster changes and the periodic flush move unschedulable pods back to the active queue. */
  private retryUnschedulable(delayMs: number): void {
    if (this.unschedulable.size === 0) return;
    for (const item of this.unschedulable) item.active = true;
    this.unschedulable.clear();
    this.requestPass(delayMs);
  }

  /** Scheduling runs from the clock, never inside a store listener, so every bind sees the last. */
  private requestPass(delayMs: number): void {
    const at = this.now() + delayMs;
    if (this.passAt !== undefined && this.passAt <= at) return;
    this.passAt = at;
    this.after(delayMs, () => {
      if (this.passAt !== at) return;
      this.passAt = undefined;
      this.pass();
    });
  }

  private pass(): void {
    for (const item of [...this.queue.values()]) {
      if (item.active && this.queue.get(item.key) === item) this.scheduleOne(item);
    }
  }

  private scheduleOne(item: QueuedPod): void {
    const pod = this.runtime.store.get(this.runtime.resources.pods, item.namespace, item.name);
    if (!pod || podNodeName(pod) !== undefined || !this.wantsScheduling(pod)) {
      this.dequeue(item.key);
      return;
    }
    const state = podToSchedule(pod, this.cache);
    const hinted = this.hintedNode(pod, state);
    if (hinted) {
      this.bind(pod, hinted, item);
      return;
    }
    const { node, rejections } = this.selectNode(state);
    if (node) this.bind(pod, node, item);
    else this.markUnschedulable(pod, item, fitErrorMessage(this.cache.nodes.size, rejections.values()));
  }

  private hintedNode(pod: KubeObject, state: PodToSchedule): string | undefined {
    const hint = annotationOf(pod, INITIAL_NODE_ANNOTATION);
    const info = hint === undefined ? undefined : this.cache.nodes.get(hint);
    return info && !runFilters(DEFAULT_FILTERS, state, info) ? info.name : undefined;
  }

  private selectNode(state: PodToSchedule): { node: string | undefined; rejections: Map<string, readonly string[]> } {
    const order = this.cache.nodeOrder();
    const total = order.length;
    const wanted = feasibleNodesToFind(total, this.settings.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const rejections = new Map<string, readonly string[]>();
    let processed = 0;
    for (; processed < total && feasible.length < wanted; processed += 1) {
      const info = order[(this.nextStartNodeIndex + processed) % total] as NodeInfo;
      const reasons = runFilters(DEFAULT_FILTERS, state, info);
      if (reasons) rejections.set(info.name, reasons);
      else feasible.push(info);
    }
    if (total > 0) this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % total;
    return { node: this.highestScoring(state, feasible), rejections };
  }

  /** selectHost: the best score wins; ties are broken uniformly at random (reservoir sampling). */
  private highestScoring(state: PodToSchedule, feasible: readonly NodeInfo[]): string | undefined {
    if (feasible.length <= 1) return feasible[0]?.name;
    let best: string | undefined;
    let bestScore = -1;
    let ties = 0;
    for (const info of feasible) {
      const score = leastAllocatedScore(state, info);
      if (score > bestScore) {
        best = info.name;
        bestScore = score;
        ties = 1;
      } else if (score === bestScore) {
        ties += 1;
        if (this.rng.int(0, ties - 1) === 0) best = info.name;
      }
    }
    return best;
  }

  private bind(pod: KubeObject, node: string, item: QueuedPod): void {
    const { store, resources } = this.runtime;
    const ref = refOf(pod);
    const bound = this.mutate(resources.pods, ref, (draft) => {
      if (podNodeName(draft) !== undefined) return false;
      draft.spec = { ...draft.spec, nodeName: node };
      return true;
    });
    this.dequeue(item.key);
    if (!bound || podNodeName(bound) !== node) return;
    this.cache.updatePod(bound);
    const now = this.nowIso();
    this.mutateStatus(resources.pods, ref, (draft) =>
      setCondition(draft, { type: "PodScheduled", status: "True", extra: { lastProbeTime: null } }, now),
    );
    const latest = store.get(resources.pods, ref.namespace, ref.name) ?? bound;
    this.event(latest, "Normal", "Scheduled", `Successfully assigned ${item.namespace}/${item.name} to ${node}`);
  }

  private markUnschedulable(pod: KubeObject, item: QueuedPod, message: string): void {
    item.active = false;
    this.unschedulable.add(item);
    const now = this.nowIso();
    this.mutateStatus(this.runtime.resources.pods, refOf(pod), (draft) =>
      setCondition(
        draft,
        { type: "PodScheduled", status: "False", reason: "Unschedulable", message, extra: { lastProbeTime: null } },
        now,
      ),
    );
    const repeat = item.lastEventAt !== undefined && this.now() - item.lastEventAt >= REPEAT_EVENT_MS;
    if (message === item.lastMessage && !repeat) return;
    item.lastMessage = message;
    item.lastEventAt = this.now();
    this.event(pod, "Warning", "FailedScheduling", message);
  }
}
