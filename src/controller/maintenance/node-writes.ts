/** What maintenance writes to a node: cordon, annotations, the evacuation status; and where its Events go. */
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

  async writeStatus(node: string, status: EvacuationStatus | undefined): Promise<void> {
    await this.annotate(node, writeEvacuationStatus(status));
  }
}
