/**
 * The small cluster the kubectl tests read and change, written straight into a twin's store (as a
 * scenario would), each object's status through the status subresource. Builders take an override
 * hook for the one field a test cares about.
 */
import type { KubeObject } from "../../src/twin/api/types.ts";
import type { Twin } from "../../src/twin/twin.ts";

type Apply = (object: KubeObject) => void;

function built(object: KubeObject, apply?: Apply): KubeObject {
  apply?.(object);
  return object;
}

export function namespaceObject(name: string): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name }, status: { phase: "Active" } };
}

export function nodeObject(name: string, ip: string, apply?: Apply): KubeObject {
  const resources = { cpu: "16", memory: "64Gi", pods: "110" };
  return built(
    {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels: { "kubernetes.io/hostname": name, "node-role.kubernetes.io/worker": "" } },
      spec: {},
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: [
          { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
        ],
        addresses: [
          { type: "InternalIP", address: ip },
          { type: "Hostname", address: name },
        ],
        nodeInfo: { kubeletVersion: "v1.32.0", osImage: "Fedora CoreOS", architecture: "amd64" },
      },
    },
    apply,
  );
}

export function podObject(name: string, namespace: string, apply?: Apply): KubeObject {
  return built(
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace, labels: {} },
      spec: {
        terminationGracePeriodSeconds: 30,
        containers: [{ name: "main", image: "registry.k8s.io/pause:3.10" }],
      },
    },
    apply,
  );
}

/** A pod on `node`, running, with an IP. */
export function runningPod(name: string, namespace: string, node: string, ip: string, apply?: Apply): KubeObject {
  return podObject(name, namespace, (pod) => {
    pod.spec = { ...pod.spec, nodeName: node };
    pod.status = {
      phase: "Running",
      podIP: ip,
      hostIP: ip.replace(/\.\d+$/, ".254"),
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: [{ name: "main", ready: true, restartCount: 0, image: "registry.k8s.io/pause:3.10" }],
    };
    apply?.(pod);
  });
}

export function vmObject(name: string, namespace: string, apply?: Apply): KubeObject {
  return built(
    {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name, namespace },
      spec: {
        runStrategy: "Always",
        template: {
          metadata: { labels: { "kubevirt.io/vm": name } },
          spec: { domain: { devices: {}, resources: { requests: { memory: "1Gi" } } } },
        },
      },
    },
    apply,
  );
}

export function vmiObject(name: string, namespace: string, apply?: Apply): KubeObject {
  return built(
    {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: { name, namespace, labels: { "kubevirt.io/vm": name } },
      spec: { domain: { devices: {}, resources: { requests: { memory: "1Gi" } } } },
    },
    apply,
  );
}

export function runningVmi(name: string, namespace: string, node: string, ip: string): KubeObject {
  return vmiObject(name, namespace, (vmi) => {
    vmi.status = {
      phase: "Running",
      nodeName: node,
      interfaces: [{ name: "default", ipAddress: ip }],
      conditions: [
        { type: "Ready", status: "True" },
        { type: "LiveMigratable", status: "True" },
      ],
    };
  });
}

export function migrationObject(name: string, namespace: string, vmi: string, phase: string): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstanceMigration",
    metadata: { name, namespace },
    spec: { vmiName: vmi },
    status: { phase },
  };
}

/** Writes objects into the twin's store: each as created, then its status as a controller would. */
export function seed(twin: Twin, ...objects: KubeObject[]): void {
  const { registry, store } = twin.runtime;
  for (const object of objects) {
    const resource = registry.forKind(object.apiVersion ?? "", object.kind ?? "");
    if (!resource) throw new Error(`the twin serves no ${object.apiVersion}/${object.kind}`);
    const { status, ...rest } = structuredClone(object);
    const created = store.create(resource, rest);
    if (status === undefined) continue;
    // The latest version: a simulated controller may have written the object as it was created.
    const ref = { namespace: created.metadata.namespace, name: created.metadata.name ?? "" };
    store.mutate(resource, ref, (latest) => void (latest.status = { ...latest.status, ...status }), {
      subresource: "status",
    });
  }
}
