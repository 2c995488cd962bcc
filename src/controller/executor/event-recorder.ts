/**
 * Kubernetes Events for what an admin should see: why a VM moved (on the VMI), how its migration
 * ended, a policy set that was rejected. Posting an Event is best effort: a failure is logged and
 * never stops a migration.
 */
import type { ApiClient } from "../../adapters/kube/client/api-client.ts";
import type { Clock } from "../clock.ts";

export interface EventTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
}

export interface EventLog {
  warn(object: object, message: string): void;
}

export type EventType = "Normal" | "Warning";

/** Event messages are capped at 1 KiB by the API server's validation. */
const MAX_MESSAGE = 1024;

export class EventRecorder {
  private readonly api: ApiClient;
  private readonly clock: Clock;
  private readonly log: EventLog;
  private readonly instance: string;
  private sequence = 0;

  constructor(options: { api: ApiClient; clock: Clock; log: EventLog; instance: string }) {
    this.api = options.api;
    this.clock = options.clock;
    this.log = options.log;
    this.instance = options.instance;
  }

  async record(target: EventTarget, type: EventType, reason: string, message: string): Promise<void> {
    const at = this.clock.now();
    const now = new Date(at).toISOString();
    this.sequence += 1;
    const event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: `${target.name}.kubedrs.${at.toString(36)}${this.sequence.toString(36)}`,
        namespace: target.namespace,
      },
      involvedObject: {
        apiVersion: target.apiVersion,
        kind: target.kind,
        namespace: target.namespace,
        name: target.name,
        ...(target.uid !== undefined && { uid: target.uid }),
      },
      type,
      reason,
      message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message,
      source: { component: "kubedrs" },
      reportingComponent: "kubedrs.io/controller",
      reportingInstance: this.instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.api.create(`/api/v1/namespaces/${target.namespace}/events`, event);
    } catch (error) {
      this.log.warn({ target, reason, err: (error as Error).message }, "could not post an Event");
    }
  }
}

export function vmiTarget(vm: string): EventTarget {
  const [namespace = "", name = ""] = vm.split("/");
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", namespace, name };
}
