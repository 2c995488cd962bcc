/**
 * Objects the contract suite creates: the smallest that a real API server (with KubeVirt
 * installed) accepts, each with an override hook for the field a test cares about.
 */
import type { CoreV1Event, V1Lease, V1Namespace, V1Node, V1Pod } from "@kubernetes/client-node";

type Apply<T> = (object: T) => void;

function built<T>(object: T, apply?: Apply<T>): T {
  apply?.(object);
  return object;
}

export function namespace(name: string, apply?: Apply<V1Namespace>): V1Namespace {
  return built({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, apply);
}

/** A node nothing runs on: no kubelet reports for it, so only the API decides its fate. */
export function node(name: string, apply?: Apply<V1Node>): V1Node {
  return built(
    {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels: { "kubedrs.io/contract": "true" } },
      spec: {},
      status: {
        conditions: [
          { type: "Ready", status: "True", reason: "KubeletReady", message: "contract test" },
          { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "contract test" },
        ],
      },
    },
    apply,
  );
}

/**
 * A pod no scheduler picks up (a scheduler name nobody serves), so it stays where the test put it:
 * unbound, or bound to a node through `spec.nodeName`.
 */
export function pod(name: string, ns: string, apply?: Apply<V1Pod>): V1Pod {
  return built(
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: ns, labels: { app: "contract" } },
      spec: {
        schedulerName: "kubedrs-contract-no-scheduler",
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 30,
        containers: [{ name: "main", image: "registry.k8s.io/pause:3.10" }],
      },
    },
    apply,
  );
}

export function lease(name: string, ns: string, apply?: Apply<V1Lease>): V1Lease {
  return built(
    {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace: ns },
      spec: { holderIdentity: "contract", leaseDurationSeconds: 15 },
    },
    apply,
  );
}

export function event(name: string, ns: string, apply?: Apply<CoreV1Event>): CoreV1Event {
  const time = new Date(Math.floor(Date.now() / 1000) * 1000);
  return built(
    {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: ns },
      involvedObject: { apiVersion: "v1", kind: "Pod", name: "subject", namespace: ns },
      reason: "ContractTest",
      message: "written by the API contract suite",
      type: "Normal",
      source: { component: "kubedrs-contract" },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    },
    apply,
  );
}

/** A custom resource as plain JSON (CustomObjectsApi and KubernetesObjectApi take any object). */
export interface CustomObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** A stopped VirtualMachine: KubeVirt's webhooks accept it and no VMI starts. */
export function virtualMachine(name: string, ns: string, apply?: Apply<CustomObject>): CustomObject {
  return built(
    {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name, namespace: ns },
      spec: {
        runStrategy: "Halted",
        template: {
          metadata: { labels: { "kubevirt.io/vm": name } },
          spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } },
        },
      },
    },
    apply,
  );
}

/** A MigrationPolicy that selects nothing. */
export function migrationPolicy(name: string, apply?: Apply<CustomObject>): CustomObject {
  return built(
    {
      apiVersion: "migrations.kubevirt.io/v1alpha1",
      kind: "MigrationPolicy",
      metadata: { name },
      spec: {
        allowAutoConverge: true,
        selectors: { namespaceSelector: { "kubedrs.io/contract-selects-nothing": name } },
      },
    },
    apply,
  );
}
