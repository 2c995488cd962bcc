/** What kubedrs writes to a node: cordon, annotations, a taint, the evacuation status; and where its Events go. */
import type { ApiClient } from "../../adapters/kube/client/api-client.ts";
import type { EventTarget } from "../executor/event-recorder.ts";
import { type EvacuationStatus, writeEvacuationStatus } from "./evacuation-status.ts";

export function nodeTarget(node: string): EventTarget {
  return { apiVersion: "v1", kind: "Node", namespace: "default", name: node };
}

export function iso(time: number): string {
  return new Date(time).toISOString();
}

export class NodeWrites {
  private readonly api: ApiClient;

  constructor(api: ApiClient) {
    this.api = api;
  }

  async cordon(node: string, unschedulable: boolean): Promise<void> {
    await this.api.patch(`/api/v1/nodes/${node}`, { spec: { unschedulable } });
  }

  /** Sets (or, with null, removes) annotations. */
  async annotate(node: string, annotations: Readonly<Record<string, string | null>>): Promise<void> {
    await this.api.patch(`/api/v1/nodes/${node}`, { metadata: { annotations } });
  }

  /**
   * Adds a taint by appending to the node's list (a JSON patch), so taints others added since the
   * node was read are kept; `current` is the list as read, to know whether there is one to append to.
   */
  async addTaint(node: string, current: readonly unknown[], taint: Readonly<Record<string, string>>): Promise<void> {
    const patch =
      current.length === 0
        ? [{ op: "add", path: "/spec/taints", value: [taint] }]
        : [{ op: "add", path: "/spec/taints/-", value: taint }];
    await this.api.patch(`/api/v1/nodes/${node}`, patch, "json");
  }

  async writeStatus(node: string, status: EvacuationStatus | undefined): Promise<void> {
    await this.annotate(node, writeEvacuationStatus(status));
  }
}
