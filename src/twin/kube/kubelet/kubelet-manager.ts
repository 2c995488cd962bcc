/**
 * Runs one kubelet per node that has a host in the ground truth. A node object without a host
 * has no kubelet (it never posts status, as a machine that was never installed); a host without
 * a node object waits for the scenario to register it. Pod events go to the kubelet of the node
 * the pod is bound to.
 */
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { StoreEvent } from "../../store/store.ts";
import type { KubeletSettings } from "../options.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import { nameOf, podNodeName } from "../shared/objects.ts";
import type { PodIndex } from "../shared/pod-index.ts";
import { Kubelet } from "./kubelet.ts";

/** How often nodes still waiting for their host are checked: HostTruth.addHost sends no event. */
const HOST_SWEEP_MS = 1000;

export class KubeletManager extends ControllerBase {
  readonly name = "kubelet";
  private readonly settings: KubeletSettings;
  private readonly pods: PodIndex;
  private readonly kubelets = new Map<string, Kubelet>();
  private readonly waitingForHost = new Set<string>();
  private ordinal = 0;

  constructor(runtime: TwinRuntime, settings: KubeletSettings, pods: PodIndex) {
    super(runtime, "kubelet");
    this.settings = settings;
    this.pods = pods;
    const { store, resources, truth } = runtime;
    for (const node of store.list(resources.nodes)) this.ensure(nameOf(node));
    this.watch(resources.nodes, (event) => this.onNode(event));
    this.watch(resources.pods, (event) => this.onPod(event));
    this.onStop(
      truth.subscribe((event) => {
        if (event.type !== "host") return;
        this.ensure(event.node);
        this.kubelets.get(event.node)?.onHost(event.state);
      }),
    );
    this.every(HOST_SWEEP_MS, () => {
      for (const node of [...this.waitingForHost]) this.ensure(node);
    });
  }

  override stop(): void {
    super.stop();
    for (const kubelet of this.kubelets.values()) kubelet.stop();
  }

  private onNode(event: StoreEvent): void {
    const name = nameOf(event.object);
    if (event.type !== "DELETED") {
      this.ensure(name);
      return;
    }
    this.waitingForHost.delete(name);
    this.kubelets.get(name)?.stop();
    this.kubelets.delete(name);
  }

  private onPod(event: StoreEvent): void {
    const node = podNodeName(event.object) ?? (event.old ? podNodeName(event.old) : undefined);
    const kubelet = node === undefined ? undefined : this.kubelets.get(node);
    if (!kubelet) return;
    if (event.type === "DELETED") kubelet.forgetPod(event.object);
    else kubelet.syncPod(event.object);
  }

  private ensure(node: string): void {
    if (this.kubelets.has(node)) return;
    const { store, resources, truth } = this.runtime;
    if (!store.get(resources.nodes, undefined, node)) return;
    if (!truth.host(node)) {
      this.waitingForHost.add(node);
      return;
    }
    this.waitingForHost.delete(node);
    this.kubelets.set(
      node,
      new Kubelet(this.runtime, node, { settings: this.settings, pods: this.pods, ordinal: this.ordinal }),
    );
    this.ordinal += 1;
  }
}
