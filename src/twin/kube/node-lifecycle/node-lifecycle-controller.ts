/**
 * kube-controller-manager's node lifecycle controller (pkg/controller/nodelifecycle):
 * - health: a node whose Lease (or status heartbeat) has not been renewed for
 *   --node-monitor-grace-period (50 s) is marked Unknown, checked every --node-monitor-period
 *   (5 s); its pods' Ready condition turns False (MarkPodsNotReady);
 * - TaintNodesByCondition: NoSchedule taints follow the conditions and the cordon, on every
 *   node change;
 * - taint-based eviction's first half: node.kubernetes.io/unreachable or not-ready NoExecute
 *   taints, added through per-zone rate-limited queues and removed as soon as the node is Ready.
 */
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { StoreEvent } from "../../store/store.ts";
import type { NodeLifecycleSettings } from "../options.ts";
import { setCondition } from "../shared/conditions.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import {
  asText,
  conditionOf,
  conditionStatus,
  isPodReady,
  labelsOf,
  nameOf,
  podNodeName,
  refOf,
} from "../shared/objects.ts";
import type { PodIndex } from "../shared/pod-index.ts";
import { TAINT, addTaint, hasTaint, removeTaint } from "../shared/taints.ts";
import { conditionTaintDiff, markStatusUnknown } from "./node-health.ts";
import { ZoneTainter, computeZoneState, zoneKeyOf, zoneQps } from "./zones.ts";
import { NODE_LEASE_NAMESPACE } from "../kubelet/kubelet.ts";

interface NodeHealth {
  probe: number;
  renewTime: string | undefined;
  heartbeat: string | undefined;
}

interface ZoneCount {
  ready: number;
  notReady: number;
}

export class NodeLifecycleController extends ControllerBase {
  readonly name = "node-lifecycle-controller";
  private readonly settings: NodeLifecycleSettings;
  private readonly pods: PodIndex;
  /** When the controller last saw each node's kubelet alive (probeTimestamp), and what it saw. */
  private readonly health = new Map<string, NodeHealth>();
  private readonly lastReady = new Map<string, string | undefined>();
  private readonly zones = new Map<string, ZoneTainter>();
  private allWereFullyDisrupted = false;
  private wakeAt: number | undefined;

  constructor(runtime: TwinRuntime, settings: NodeLifecycleSettings, pods: PodIndex) {
    super(runtime, "node-lifecycle-controller", "node-controller");
    this.settings = settings;
    this.pods = pods;
    this.watch(runtime.resources.nodes, (event) => this.onNode(event));
    this.every(settings.monitorPeriodSeconds * 1000, () => this.monitor());
  }

  private onNode(event: StoreEvent): void {
    const name = nameOf(event.object);
    if (event.type === "DELETED") {
      this.health.delete(name);
      this.lastReady.delete(name);
      for (const zone of this.zones.values()) zone.remove(name);
      return;
    }
    this.reconcileConditionTaints(event.object);
  }

  private reconcileConditionTaints(node: KubeObject): void {
    const { add, remove } = conditionTaintDiff(node);
    if (add.length === 0 && remove.length === 0) return;
    const now = this.nowIso();
    this.mutate(this.runtime.resources.nodes, { name: nameOf(node) }, (draft) => {
      for (const key of remove) removeTaint(draft, key, "NoSchedule");
      for (const key of add) addTaint(draft, { key, effect: "NoSchedule" }, now);
    });
  }

  private monitor(): void {
    const nodes = this.runtime.store
      .list(this.runtime.resources.nodes)
      .sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
    const counts = new Map<string, ZoneCount>();
    for (const listed of nodes) {
      const node = this.updateHealth(listed);
      const ready = conditionStatus(node, "Ready");
      this.noticeReadiness(node, ready);
      const zone = zoneKeyOf(labelsOf(node));
      const count = counts.get(zone) ?? { ready: 0, notReady: 0 };
      if (ready === "True") count.ready += 1;
      else count.notReady += 1;
      counts.set(zone, count);
      this.processTaintBasedEviction(node, ready);
    }
    this.handleDisruption(counts, nodes);
    this.drainZoneQueues();
  }

  /**
   * tryUpdateNodeHealth: the probe time moves to now whenever the controller sees a new status
   * heartbeat or a renewed Lease; a node that never posted status is timed from its creation.
   */
  private observe(node: KubeObject): NodeHealth {
    const name = nameOf(node);
    const lease = this.runtime.store.get(this.runtime.resources.leases, NODE_LEASE_NAMESPACE, name);
    const renewTime = asText(lease?.spec?.renewTime);
    const heartbeat = conditionOf(node, "Ready")?.lastHeartbeatTime;
    const saved = this.health.get(name);
    const alive =
      saved !== undefined &&
      (saved.heartbeat !== heartbeat || (renewTime !== undefined && saved.renewTime !== renewTime));
    const probe = alive ? this.now() : (saved?.probe ?? this.firstProbe(node, heartbeat));
    const health = { probe, renewTime, heartbeat };
    this.health.set(name, health);
    return health;
  }

  private firstProbe(node: KubeObject, heartbeat: string | undefined): number {
    const created = Date.parse(node.metadata.creationTimestamp ?? "");
    return heartbeat === undefined && Number.isFinite(created) ? created : this.now();
  }

  private updateHealth(node: KubeObject): KubeObject {
    const name = nameOf(node);
    const { probe } = this.observe(node);
    const ready = conditionOf(node, "Ready");
    const grace = (ready ? this.settings.gracePeriodSeconds : this.settings.startupGracePeriodSeconds) * 1000;
    if (this.now() <= probe + grace) return node;
    const now = this.nowIso();
    return this.mutateStatus(this.runtime.resources.nodes, { name }, (draft) => markStatusUnknown(draft, now)) ?? node;
  }

  private noticeReadiness(node: KubeObject, ready: string | undefined): void {
    const name = nameOf(node);
    const previous = this.lastReady.get(name);
    this.lastReady.set(name, ready);
    if (previous === "True" && ready !== "True") {
      this.event(node, "Normal", "NodeNotReady", `Node ${name} status is now: NodeNotReady`);
      this.markPodsNotReady(name);
    } else if (previous !== undefined && previous !== "True" && ready === "True") {
      this.event(node, "Normal", "NodeReady", `Node ${name} status is now: NodeReady`);
    }
  }

  /** MarkPodsNotReady: the pods of a node that stopped reporting are no longer Ready. */
  private markPodsNotReady(node: string): void {
    const now = this.nowIso();
    for (const pod of this.pods.podsOn(node)) {
      if (podNodeName(pod) !== node || !isPodReady(pod)) continue;
      this.mutateStatus(this.runtime.resources.pods, refOf(pod), (draft) =>
        setCondition(draft, { type: "Ready", status: "False", extra: { lastProbeTime: null } }, now),
      );
      this.event(pod, "Warning", "NodeNotReady", "Node is not ready");
    }
  }

  private zoneOf(node: KubeObject): ZoneTainter {
    const key = zoneKeyOf(labelsOf(node));
    let zone = this.zones.get(key);
    if (!zone) {
      zone = new ZoneTainter(this.settings.evictionQps, this.now());
      this.zones.set(key, zone);
    }
    return zone;
  }

  /** processTaintBaseEviction: swap an opposite taint at once, queue a new one, clear them when Ready. */
  private processTaintBasedEviction(node: KubeObject, ready: string | undefined): void {
    if (ready === "True") {
      this.markReachable(node);
      return;
    }
    if (ready !== "False" && ready !== "Unknown") return;
    const [wanted, opposite] =
      ready === "False" ? [TAINT.notReady, TAINT.unreachable] : [TAINT.unreachable, TAINT.notReady];
    if (hasTaint(node, opposite, "NoExecute")) {
      this.swapNoExecuteTaint(nameOf(node), wanted, opposite);
      return;
    }
    const zone = this.zoneOf(node);
    if (!hasTaint(node, wanted, "NoExecute")) zone.remove(nameOf(node));
    zone.add(nameOf(node));
  }

  private markReachable(node: KubeObject): void {
    this.zoneOf(node).remove(nameOf(node));
    if (!hasTaint(node, TAINT.unreachable, "NoExecute") && !hasTaint(node, TAINT.notReady, "NoExecute")) return;
    this.mutate(this.runtime.resources.nodes, { name: nameOf(node) }, (draft) => {
      const removedUnreachable = removeTaint(draft, TAINT.unreachable, "NoExecute");
      return removeTaint(draft, TAINT.notReady, "NoExecute") || removedUnreachable;
    });
  }

  private swapNoExecuteTaint(node: string, add: string, remove: string): void {
    const now = this.nowIso();
    this.mutate(this.runtime.resources.nodes, { name: node }, (draft) => {
      const removed = removeTaint(draft, remove, "NoExecute");
      return addTaint(draft, { key: add, effect: "NoExecute" }, now) || removed;
    });
  }

  /** handleDisruption: per-zone rates, and no tainting at all when every zone is fully disrupted. */
  private handleDisruption(counts: Map<string, ZoneCount>, nodes: readonly KubeObject[]): void {
    const threshold = this.settings.unhealthyZoneThreshold;
    const states = new Map(
      [...counts].map(([zone, count]) => [zone, computeZoneState(count.ready, count.notReady, threshold)]),
    );
    const allAre = states.size > 0 && [...states.values()].every((state) => state === "FullDisruption");
    const allWere = this.allWereFullyDisrupted;
    this.allWereFullyDisrupted = allAre;
    if (allAre && allWere) return;
    if (allAre) {
      this.enterMasterDisruption(nodes);
      return;
    }
    for (const [key, state] of states) {
      const zone = this.zones.get(key) ?? this.zoneOfKey(key);
      if (zone.state === state && !allWere) continue;
      const count = counts.get(key) ?? { ready: 0, notReady: 0 };
      zone.swapLimiter(zoneQps(state, count.ready + count.notReady, this.settings), this.now());
      zone.state = state;
    }
    if (allWere) for (const node of nodes) this.resetProbe(nameOf(node));
  }

  /** Every node of every zone looks dead: the control plane is the likelier culprit, so no one is evicted. */
  private enterMasterDisruption(nodes: readonly KubeObject[]): void {
    for (const node of nodes) this.markReachable(node);
    for (const zone of this.zones.values()) {
      zone.swapLimiter(0, this.now());
      zone.state = "FullDisruption";
    }
  }

  private resetProbe(node: string): void {
    const health = this.health.get(node);
    if (health) health.probe = this.now();
  }

  private zoneOfKey(key: string): ZoneTainter {
    const zone = new ZoneTainter(this.settings.evictionQps, this.now());
    this.zones.set(key, zone);
    return zone;
  }

  /** doNoExecuteTaintingPass: taint the queued nodes the zone limiters let through. */
  private drainZoneQueues(): void {
    const now = this.now();
    let nextWake: number | undefined;
    for (const key of [...this.zones.keys()].sort()) {
      const zone = this.zones.get(key) as ZoneTainter;
      for (const node of zone.take(now)) this.taintUnhealthy(node);
      const next = zone.pending > 0 ? zone.limiter.nextTokenAt(now) : undefined;
      if (next !== undefined && (nextWake === undefined || next < nextWake)) nextWake = next;
    }
    if (nextWake === undefined || (this.wakeAt !== undefined && this.wakeAt <= nextWake)) return;
    const wake = nextWake;
    this.wakeAt = wake;
    this.after(wake - now, () => {
      if (this.wakeAt !== wake) return;
      this.wakeAt = undefined;
      this.drainZoneQueues();
    });
  }

  private taintUnhealthy(name: string): void {
    const node = this.runtime.store.get(this.runtime.resources.nodes, undefined, name);
    const ready = node ? conditionStatus(node, "Ready") : undefined;
    if (ready === "False") this.swapNoExecuteTaint(name, TAINT.notReady, TAINT.unreachable);
    else if (ready === "Unknown") this.swapNoExecuteTaint(name, TAINT.unreachable, TAINT.notReady);
  }
}
