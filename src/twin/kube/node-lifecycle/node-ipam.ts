/**
 * kube-controller-manager's node IPAM controller with the range allocator
 * (--allocate-node-cidrs): every node gets spec.podCIDR, the next free subnet of
 * --cluster-cidr of size --node-cidr-mask-size; the kubelet hands out pod IPs from it. A node
 * created with a pod CIDR keeps it.
 */
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { StoreEvent } from "../../store/store.ts";
import type { NetworkSettings } from "../options.ts";
import { type Cidr, formatCidr, parseCidr, subnet } from "../kubelet/addresses.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import { asText, nameOf } from "../shared/objects.ts";

export class NodeIpamController extends ControllerBase {
  readonly name = "node-ipam-controller";
  private readonly clusterCidr: Cidr | undefined;
  private readonly maskSize: number;
  private readonly used = new Map<number, string>();

  constructor(runtime: TwinRuntime, settings: NetworkSettings) {
    super(runtime, "node-ipam-controller");
    this.clusterCidr = parseCidr(settings.clusterCidr);
    this.maskSize = settings.nodeCidrMaskSize;
    for (const node of runtime.store.list(runtime.resources.nodes))
      this.onNode({ type: "ADDED", resource: runtime.resources.nodes, object: node, old: undefined });
    this.watch(runtime.resources.nodes, (event) => this.onNode(event));
  }

  private indexOf(cidr: Cidr | undefined): number | undefined {
    if (!cidr || !this.clusterCidr || cidr.prefix !== this.maskSize) return undefined;
    const index = (cidr.base - this.clusterCidr.base) / 2 ** (32 - this.maskSize);
    return Number.isInteger(index) && index >= 0 ? index : undefined;
  }

  private onNode(event: StoreEvent): void {
    const name = nameOf(event.object);
    const index = this.indexOf(parseCidr(asText(event.object.spec?.podCIDR) ?? ""));
    if (event.type === "DELETED") {
      if (index !== undefined && this.used.get(index) === name) this.used.delete(index);
      return;
    }
    if (index !== undefined) this.used.set(index, name);
    else if (asText(event.object.spec?.podCIDR) === undefined) this.allocate(event.object);
  }

  private allocate(seen: KubeObject): void {
    const node = this.runtime.store.get(this.runtime.resources.nodes, undefined, nameOf(seen));
    if (!this.clusterCidr || !node || asText(node.spec?.podCIDR) !== undefined) return;
    for (let index = 0; ; index += 1) {
      if (this.used.has(index)) continue;
      const cidr = subnet(this.clusterCidr, this.maskSize, index);
      if (!cidr) {
        this.event(node, "Normal", "CIDRNotAvailable", `Node ${nameOf(node)} status is now: CIDRNotAvailable`);
        return;
      }
      this.used.set(index, nameOf(node));
      const text = formatCidr(cidr);
      this.mutate(this.runtime.resources.nodes, { name: nameOf(node) }, (draft) => {
        if (asText(draft.spec?.podCIDR) !== undefined) return false;
        draft.spec = { ...draft.spec, podCIDR: text, podCIDRs: [text] };
        return true;
      });
      return;
    }
  }
}
