/**
 * virt-controller's node controller (kubevirt/kubevirt pkg/virt-controller/watch/node/node.go):
 * every minute it checks each node's virt-handler heartbeat. A node whose heartbeat is older than
 * five minutes (or that was deleted) is unresponsive: it is labelled kubevirt.io/schedulable=false
 * (event NodeUnresponsive), and its Running or Scheduled VMIs whose virt-launcher pod is not alive
 * fail with reason NodeUnresponsive. A pod stuck Terminating on a dead node is still alive.
 */
import type { KubeObject } from "../api/types.ts";
import type { TimerHandle } from "../clock/virtual-clock.ts";
import type { Controller } from "../runtime/runtime.ts";
import type { KubeVirtContext } from "./context.ts";
import { nameOf, namespaceOf, timeAt, uidOf } from "./fields.ts";
import { ACTOR, ANNOTATION, COMPONENT, LABEL } from "./names.ts";
import { podIsAlive, podNode } from "./pods.ts";
import { vmiNode, vmiPhase } from "./vmi-spec.ts";

export const HEARTBEAT_TIMEOUT_MS = 5 * 60_000;
export const NODE_RECHECK_MS = 60_000;

export class NodeController implements Controller {
  readonly name = "kubevirt/node-controller";
  private readonly context: KubeVirtContext;
  private readonly timer: TimerHandle;
  private readonly unsubscribe: () => void;

  constructor(context: KubeVirtContext) {
    this.context = context;
    this.timer = context.clock.every(NODE_RECHECK_MS, () => this.checkAll());
    // A deleted node is unresponsive at once.
    this.unsubscribe = context.store.subscribe(context.resources.nodes, (event) => {
      if (event.type === "DELETED") context.clock.after(0, () => this.check(nameOf(event.object), undefined));
    });
  }

  stop(): void {
    this.context.clock.cancel(this.timer);
    this.unsubscribe();
  }

  private checkAll(): void {
    const nodes = this.context.store
      .list(this.context.resources.nodes)
      .sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
    for (const node of nodes) this.check(nameOf(node), node);
  }

  /** isNodeUnresponsive: no node, or a heartbeat older than the timeout (a node that never beat is given time). */
  private isUnresponsive(node: KubeObject | undefined): boolean {
    if (!node) return true;
    const heartbeat = timeAt(node, "metadata", "annotations", ANNOTATION.heartbeat);
    return heartbeat !== undefined && heartbeat < this.context.now() - HEARTBEAT_TIMEOUT_MS;
  }

  private check(nodeName: string, node: KubeObject | undefined): void {
    if (!this.isUnresponsive(node)) return;
    if (node && node.metadata.labels?.[LABEL.schedulable] === "true") this.markUnschedulable(node);
    for (const vmi of this.orphanedVmis(nodeName)) this.failVmi(vmi);
  }

  private markUnschedulable(node: KubeObject): void {
    this.context.event(node, {
      type: "Normal",
      reason: "NodeUnresponsive",
      message: "virt-handler is not responsive, marking node as unresponsive",
      component: COMPONENT.node,
    });
    this.context.store.mutate(
      this.context.resources.nodes,
      { name: nameOf(node) },
      (draft) => {
        draft.metadata.labels = { ...draft.metadata.labels, [LABEL.schedulable]: "false" };
      },
      { actor: ACTOR.controller },
    );
  }

  /** Active VMIs on the node (by their kubevirt.io/nodeName label) without an alive pod there. */
  private orphanedVmis(nodeName: string): KubeObject[] {
    const vmis = this.context.store
      .list(this.context.resources.virtualMachineInstances, {
        labels: [{ key: LABEL.nodeName, operator: "In", values: [nodeName] }],
      })
      .filter((vmi) => vmiPhase(vmi) === "Running" || vmiPhase(vmi) === "Scheduled");
    return vmis.filter(
      (vmi) => !this.context.indexes.podsOf(uidOf(vmi)).some((pod) => podNode(pod) === nodeName && podIsAlive(pod)),
    );
  }

  private failVmi(vmi: KubeObject): void {
    this.context.event(vmi, {
      type: "Normal",
      reason: "NodeUnresponsive",
      message: `virt-handler on node ${vmiNode(vmi)} is not responsive, marking VMI as failed`,
      component: COMPONENT.node,
    });
    this.context.store.mutate(
      this.context.resources.virtualMachineInstances,
      { namespace: namespaceOf(vmi), name: nameOf(vmi) },
      (draft) => {
        const status = (draft.status ??= {});
        status.phase = "Failed";
        status.reason = "NodeUnresponsive";
      },
      { actor: ACTOR.controller, subresource: "status" },
    );
  }
}
