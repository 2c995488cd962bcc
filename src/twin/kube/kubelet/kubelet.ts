/**
 * One simulated kubelet, driven by the ground truth of its host. While the host is powered and
 * networked it renews the node's Lease every 10 s, posts node status (on change and every
 * report period), starts the pods bound to it and finishes deleting its terminating pods. While
 * the host is unreachable it does nothing at all, which is exactly why a dead node's pods stay
 * Terminating. After a power loss the host boots for a while; then the kubelet comes back with a
 * new boot ID, marks the pods whose containers died with the host Failed (restartPolicy Never)
 * or restarts them, and finishes the terminating ones.
 */
import type { Rng } from "../../../core/numeric/rng.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { HostState } from "../../runtime/truth.ts";
import { uuid } from "../../store/uid.ts";
import { type KubeletSettings, drawMs } from "../options.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import {
  asNumber,
  asText,
  containersOf,
  isDeleting,
  isTerminal,
  keyOf,
  podNodeName,
  podPhase,
  refOf,
  restartPolicyOf,
} from "../shared/objects.ts";
import type { PodIndex } from "../shared/pod-index.ts";
import { PodIpAllocator, parseCidr } from "./addresses.ts";
import { type NodeIdentity, conditionsDiffer, internalIpOf, postNodeStatus } from "./node-status.ts";
import { markFailedAfterPowerLoss, markNotReady, markRunning } from "./pod-status.ts";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";

type KubeletState = "running" | "booting" | "down";

/** coordination.k8s.io MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class Kubelet extends ControllerBase {
  readonly name: string;
  private readonly node: string;
  private readonly settings: KubeletSettings;
  private readonly pods: PodIndex;
  private readonly rng: Rng;
  private readonly ips = new PodIpAllocator();
  private readonly machineId: string;
  private readonly internalIp: string;
  private bootId: string;
  private state: KubeletState;
  private bootGeneration = 0;
  private lastStatusPost = Number.NEGATIVE_INFINITY;
  /** Pods with a start or stop under way, by UID, so one event does not schedule it twice. */
  private readonly inFlight = new Map<string, "start" | "stop">();

  constructor(
    runtime: TwinRuntime,
    node: string,
    deps: { settings: KubeletSettings; pods: PodIndex; ordinal: number },
  ) {
    super(runtime, "kubelet");
    this.name = `kubelet/${node}`;
    this.node = node;
    this.settings = deps.settings;
    this.pods = deps.pods;
    this.rng = runtime.rng(`kubelet/${node}`);
    this.machineId = uuid(this.rng);
    this.bootId = uuid(this.rng);
    this.internalIp = `192.168.${Math.floor(deps.ordinal / 250) % 256}.${(deps.ordinal % 250) + 2}`;
    this.state = runtime.truth.host(node)?.powered ? "running" : "down";
    this.every(deps.settings.leaseRenewSeconds * 1000, () => this.heartbeat(), 0);
  }

  private get reachable(): boolean {
    return this.state === "running" && this.runtime.truth.isReachable(this.node);
  }

  /** The truth changed for this host: power loss stops everything, power-on starts a boot. */
  onHost(host: Readonly<HostState>): void {
    if (!host.powered) {
      this.state = "down";
      this.bootGeneration += 1;
      this.inFlight.clear();
      return;
    }
    if (this.state === "down") {
      this.state = "booting";
      const generation = ++this.bootGeneration;
      this.after(
        drawMs(this.settings.bootSeconds, () => this.rng.next()),
        () => {
          if (generation === this.bootGeneration && this.runtime.truth.host(this.node)?.powered) this.boot();
        },
      );
    }
    // A host whose network comes back is noticed at the next renewal, as the kubelet's lease retry would.
  }

  private boot(): void {
    this.state = "running";
    this.bootId = uuid(this.rng);
    if (!this.reachable) return;
    this.heartbeat();
    for (const pod of this.pods.podsOn(this.node)) this.recoverAfterPowerLoss(pod);
  }

  /** Lease renewal and the node status loop share the kubelet's 10-second rhythm. */
  private heartbeat(): void {
    if (!this.reachable) return;
    this.renewLease();
    this.syncNodeStatus();
    for (const pod of this.pods.podsOn(this.node)) this.syncPod(pod);
  }

  private renewLease(): void {
    const { store, resources } = this.runtime;
    if (!store.get(resources.namespaces, undefined, NODE_LEASE_NAMESPACE)) return;
    const renewTime = microTime(this.now());
    if (store.get(resources.leases, NODE_LEASE_NAMESPACE, this.node)) {
      this.mutate(resources.leases, { namespace: NODE_LEASE_NAMESPACE, name: this.node }, (draft) => {
        draft.spec = {
          ...draft.spec,
          holderIdentity: this.node,
          leaseDurationSeconds: this.settings.leaseDurationSeconds,
          renewTime,
        };
      });
      return;
    }
    const node = store.get(resources.nodes, undefined, this.node);
    const owner = node
      ? [{ apiVersion: "v1", kind: "Node", name: this.node, uid: node.metadata.uid ?? "" }]
      : undefined;
    this.attempt(`Lease ${this.node}`, () =>
      store.create(
        resources.leases,
        {
          metadata: { name: this.node, namespace: NODE_LEASE_NAMESPACE, ...(owner && { ownerReferences: owner }) },
          spec: { holderIdentity: this.node, leaseDurationSeconds: this.settings.leaseDurationSeconds, renewTime },
        },
        { actor: this.actor },
      ),
    );
  }

  private syncNodeStatus(): void {
    const { store, resources } = this.runtime;
    const node = store.get(resources.nodes, undefined, this.node);
    if (!node) return;
    const due = this.now() - this.lastStatusPost >= this.settings.statusReportSeconds * 1000;
    const bootChanged = node.status?.nodeInfo === undefined || this.identity().bootId !== bootIdOf(node);
    if (!due && !bootChanged && !conditionsDiffer(node)) return;
    this.lastStatusPost = this.now();
    const now = this.nowIso();
    this.mutateStatus(resources.nodes, { name: this.node }, (draft) => postNodeStatus(draft, this.identity(), now));
  }

  private identity(): NodeIdentity {
    return {
      machineId: this.machineId,
      bootId: this.bootId,
      internalIp: this.internalIp,
      kubeletVersion: this.settings.kubeletVersion,
      containerRuntimeVersion: this.settings.containerRuntimeVersion,
    };
  }

  /** A pod bound to this node changed (or the kubelet resyncs): start it, or finish its deletion. */
  syncPod(pod: KubeObject): void {
    if (!this.reachable || podNodeName(pod) !== this.node) return;
    const uid = pod.metadata.uid ?? keyOf(pod);
    if (isTerminal(pod)) this.ips.release(uid);
    const underWay = this.inFlight.get(uid);
    // A pod deleted while it starts is stopped at once: the start sees the deletion and gives up.
    if (isDeleting(pod) && underWay !== "stop") this.scheduleStop(pod, uid);
    else if (underWay === undefined && podPhase(pod) === "Pending") this.scheduleStart(pod, uid, false);
  }

  forgetPod(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? keyOf(pod);
    this.ips.release(uid);
    this.inFlight.delete(uid);
  }

  private scheduleStart(pod: KubeObject, uid: string, restart: boolean): void {
    this.inFlight.set(uid, "start");
    const generation = this.bootGeneration;
    this.after(
      drawMs(this.settings.podStartSeconds, () => this.rng.next()),
      () => {
        if (this.inFlight.get(uid) === "start") this.inFlight.delete(uid);
        if (generation !== this.bootGeneration || !this.reachable) return;
        const latest = this.latest(pod, uid);
        if (latest && !isDeleting(latest) && !isTerminal(latest)) this.writeRunning(latest, uid, restart);
      },
    );
  }

  private writeRunning(pod: KubeObject, uid: string, restart: boolean): void {
    const node = this.runtime.store.get(this.runtime.resources.nodes, undefined, this.node);
    const cidr = parseCidr(asText(node?.spec?.podCIDR) ?? "");
    const placement = {
      hostIp: node ? internalIpOf(node) : undefined,
      podIp: cidr ? this.ips.allocate(uid, cidr) : undefined,
      containerIds: containersOf(pod).map(() => `containerd://${uuid(this.rng).replaceAll("-", "")}`),
    };
    const now = this.nowIso();
    this.mutateStatus(this.runtime.resources.pods, refOf(pod), (draft) => markRunning(draft, placement, now, restart));
  }

  /** Containers get SIGTERM and exit; the kubelet then removes the pod, never later than its grace period. */
  private scheduleStop(pod: KubeObject, uid: string): void {
    this.inFlight.set(uid, "stop");
    const generation = this.bootGeneration;
    const grace = (asNumber(pod.metadata.deletionGracePeriodSeconds) ?? 30) * 1000;
    const delay = Math.min(
      grace,
      drawMs(this.settings.podStopSeconds, () => this.rng.next()),
    );
    this.after(delay, () => {
      this.inFlight.delete(uid);
      if (generation !== this.bootGeneration || !this.reachable) return;
      const latest = this.latest(pod, uid);
      if (latest && isDeleting(latest)) this.finishDeletion(latest, uid);
    });
  }

  /** A pod with finalizers keeps them: the kubelet's grace-0 delete then waits for them, as the API does. */
  private finishDeletion(pod: KubeObject, uid: string): void {
    const { store, resources } = this.runtime;
    const { namespace = "default", name } = refOf(pod);
    this.ips.release(uid);
    if ((pod.metadata.finalizers ?? []).length === 0) {
      store.finishPodDeletion(resources.pods, namespace, name);
      return;
    }
    this.attempt(`Pod ${name}`, () =>
      store.delete(resources.pods, namespace, name, { gracePeriodSeconds: 0, preconditionUid: uid, actor: this.actor }),
    );
  }

  private recoverAfterPowerLoss(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? keyOf(pod);
    if (isDeleting(pod) || isTerminal(pod) || podPhase(pod) === "Pending") {
      this.syncPod(pod);
      return;
    }
    const now = this.nowIso();
    if (restartPolicyOf(pod) === "Never") {
      this.ips.release(uid);
      this.mutateStatus(this.runtime.resources.pods, refOf(pod), (draft) => markFailedAfterPowerLoss(draft, now));
      return;
    }
    this.mutateStatus(this.runtime.resources.pods, refOf(pod), (draft) => markNotReady(draft, now));
    this.scheduleStart(pod, uid, true);
  }

  private latest(pod: KubeObject, uid: string): KubeObject | undefined {
    const { namespace, name } = refOf(pod);
    const found = this.runtime.store.get(this.runtime.resources.pods, namespace, name);
    return found?.metadata.uid === uid && podNodeName(found) === this.node ? found : undefined;
  }
}

function bootIdOf(node: KubeObject): unknown {
  const info = node.status?.nodeInfo;
  return typeof info === "object" && info !== null ? (info as Record<string, unknown>).bootID : undefined;
}
