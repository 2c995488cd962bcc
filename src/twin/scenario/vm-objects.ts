/**
 * VirtualMachine objects for a VM group, as a user would write them: the VMI template carries the
 * group's shape, constraints, storage, network and load. What varies per VM (its name, its
 * volumes' claims, its first node, its trace) is filled in per VM; the rest is built once.
 */
import { GPU_RESOURCE, HUGEPAGES_1GI } from "../../synth/node-builder.ts";
import { renderResources } from "../../synth/vm-shapes.ts";
import type { Affinity } from "../../core/schema/fields.ts";
import type { KubeObject } from "../api/types.ts";
import {
  GROUP_LABEL,
  INITIAL_NODE_ANNOTATION,
  VOLUME_ACCESS_MODES_ANNOTATION,
  WORKLOAD_ANNOTATION,
} from "./annotations.ts";
import { withTraceFile } from "./load.ts";
import type { ResourceAmounts } from "./node-resources.ts";
import { bytesQuantity } from "./quantities.ts";
import type { VmGroup, VolumeSpec } from "./vm-group-schema.ts";
import { compact } from "../../adapters/kube/convert/compact.ts";

/** What differs between the VMs of a group. */
export interface VmInstance {
  readonly name: string;
  readonly initialNode: string | undefined;
  readonly traceFile: string | undefined;
}

function cpuOf(group: VmGroup): Record<string, unknown> {
  return compact({
    cores: group.cpu,
    sockets: 1,
    threads: 1,
    model: group.cpuModel,
    dedicatedCpuPlacement: group.dedicated || undefined,
    isolateEmulatorThread: group.isolateEmulatorThread || undefined,
    features: group.cpuFeatures.length > 0 ? group.cpuFeatures : undefined,
    numa: group.numaPassthrough ? { guestMappingPassthrough: {} } : undefined,
  });
}

function network(group: VmGroup): { interfaces: unknown[]; networks: unknown[] } {
  const pod = { name: "default", pod: {} };
  if (group.interface === "bridge") return { interfaces: [{ name: "default", bridge: {} }], networks: [pod] };
  const masquerade = { name: "default", masquerade: {} };
  if (group.interface === "masquerade") return { interfaces: [masquerade], networks: [pod] };
  return {
    interfaces: [masquerade, { name: "sriov", sriov: {} }],
    networks: [pod, { name: "sriov", multus: { networkName: "sriov-network" } }],
  };
}

function devices(group: VmGroup, interfaces: unknown[]): Record<string, unknown> {
  const gpus = Array.from({ length: group.gpus }, (_, index) => ({
    name: `gpu${index + 1}`,
    deviceName: group.gpuDeviceName,
  }));
  return compact({
    disks: group.volumes.map((volume) => ({ name: volume.name, disk: { bus: "virtio" } })),
    interfaces,
    gpus: gpus.length > 0 ? gpus : undefined,
    hostDevices: group.hostDevices.length > 0 ? group.hostDevices : undefined,
  });
}

function volumeSource(volume: VolumeSpec, vm: string): Record<string, unknown> {
  const claim = `${vm}-${volume.name}`;
  if (volume.type === "pvc") return { name: volume.name, persistentVolumeClaim: { claimName: claim } };
  if (volume.type === "dataVolume") return { name: volume.name, dataVolume: { name: claim } };
  return { name: volume.name, containerDisk: { image: volume.image } };
}

function accessModes(group: VmGroup): string | undefined {
  const claimed = group.volumes.filter((volume) => volume.type !== "containerDisk");
  if (claimed.length === 0) return undefined;
  return JSON.stringify(Object.fromEntries(claimed.map((volume) => [volume.name, [volume.accessMode]])));
}

/** The group's own affinity plus its anti-affinity shorthand, as one corev1.Affinity. */
export function affinityOf(group: VmGroup): Affinity | undefined {
  const shorthand = group.antiAffinity;
  if (shorthand === undefined) return group.affinity;
  const term = {
    labelSelector: { matchLabels: { [GROUP_LABEL]: group.name } },
    topologyKey: shorthand.topology === "zone" ? "topology.kubernetes.io/zone" : "kubernetes.io/hostname",
  };
  const anti = group.affinity?.podAntiAffinity ?? {};
  const podAntiAffinity = shorthand.required
    ? {
        ...anti,
        requiredDuringSchedulingIgnoredDuringExecution: [
          ...(anti.requiredDuringSchedulingIgnoredDuringExecution ?? []),
          term,
        ],
      }
    : {
        ...anti,
        preferredDuringSchedulingIgnoredDuringExecution: [
          ...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []),
          { weight: 100, podAffinityTerm: term },
        ],
      };
  return { ...group.affinity, podAntiAffinity };
}

/** The VMI template's spec without the per-VM volumes. */
function templateSpec(group: VmGroup): Record<string, unknown> {
  const { interfaces, networks } = network(group);
  return compact({
    domain: {
      cpu: cpuOf(group),
      memory: compact({
        guest: bytesQuantity(group.memory),
        hugepages: group.hugepages === undefined ? undefined : { pageSize: group.hugepages },
      }),
      devices: devices(group, interfaces),
      machine: { type: "q35" },
    },
    networks,
    nodeSelector: group.nodeSelector,
    affinity: affinityOf(group),
    tolerations: group.tolerations,
    evictionStrategy: group.evictionStrategy,
    terminationGracePeriodSeconds: 180,
  });
}

export type VmFactory = (instance: VmInstance) => KubeObject;

/** Builds the group's shared parts once and returns a function that makes each VM. */
export function vmFactory(group: VmGroup): VmFactory {
  const labels = { ...group.labels, [GROUP_LABEL]: group.name };
  const spec = templateSpec(group);
  const workload = group.load === undefined ? undefined : JSON.stringify(group.load);
  const modes = accessModes(group);
  return (instance) => {
    const loadJson =
      instance.traceFile === undefined || group.traces === undefined
        ? workload
        : JSON.stringify(withTraceFile(group.load, instance.traceFile, group.traces));
    const annotations = compact({
      [WORKLOAD_ANNOTATION]: loadJson,
      [VOLUME_ACCESS_MODES_ANNOTATION]: modes,
      [INITIAL_NODE_ANNOTATION]: instance.initialNode,
    }) as Record<string, string>;
    return {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: {
        name: instance.name,
        namespace: group.namespace,
        labels: { ...labels },
        annotations: {
          "kubevirt.io/latest-observed-api-version": "v1",
          "kubevirt.io/storage-observed-api-version": "v1",
        },
      },
      spec: {
        runStrategy: group.runStrategy,
        template: {
          metadata: { labels: { ...labels, "kubevirt.io/vm": instance.name }, annotations },
          spec: { ...spec, volumes: group.volumes.map((volume) => volumeSource(volume, instance.name)) },
        },
      },
    };
  };
}

/** What the group's virt-launcher pods request, as KubeVirt renders it (for placement). */
export function launcherRequests(group: VmGroup): ResourceAmounts {
  const rendered = renderResources(
    { vcpus: group.cpu, memory: group.memory },
    {
      dedicated: group.dedicated,
      isolateEmulatorThread: group.isolateEmulatorThread,
      hugepages: group.hugepages !== undefined,
      gpus: group.gpus,
    },
  );
  const requests: ResourceAmounts = { ...rendered.requests, pods: 1 };
  if (group.hugepages === "2Mi") {
    requests["hugepages-2Mi"] = requests[HUGEPAGES_1GI] ?? 0;
    delete requests[HUGEPAGES_1GI];
  }
  if (group.gpus > 0 && group.gpuDeviceName !== GPU_RESOURCE) {
    delete requests[GPU_RESOURCE];
    requests[group.gpuDeviceName] = group.gpus;
  }
  for (const device of group.hostDevices) requests[device.deviceName] = (requests[device.deviceName] ?? 0) + 1;
  return requests;
}
