/**
 * What a kubelet posts in its node's status (pkg/kubelet/nodestatus): the conditions it owns,
 * with lastHeartbeatTime refreshed on every post, nodeInfo, addresses, and capacity defaults
 * (110 pods). Fields other components own, such as device-plugin resources, are left alone.
 */
import { type KubeObject, isRecord } from "../../api/types.ts";
import { type ConditionChange, setConditions } from "../shared/conditions.ts";
import { asList, asRecord, conditionStatus } from "../shared/objects.ts";

/** kubelet's --max-pods default. */
const DEFAULT_MAX_PODS = "110";

export interface NodeIdentity {
  readonly machineId: string;
  readonly bootId: string;
  readonly internalIp: string;
  readonly kubeletVersion: string;
  readonly containerRuntimeVersion: string;
}

export function healthyConditions(now: string): ConditionChange[] {
  const extra = { lastHeartbeatTime: now };
  return [
    {
      type: "MemoryPressure",
      status: "False",
      reason: "KubeletHasSufficientMemory",
      message: "kubelet has sufficient memory available",
      extra,
    },
    {
      type: "DiskPressure",
      status: "False",
      reason: "KubeletHasNoDiskPressure",
      message: "kubelet has no disk pressure",
      extra,
    },
    {
      type: "PIDPressure",
      status: "False",
      reason: "KubeletHasSufficientPID",
      message: "kubelet has sufficient PID available",
      extra,
    },
    { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", extra },
  ];
}

/** True when the node shows conditions the kubelet would not post (the node controller set Unknown). */
export function conditionsDiffer(node: KubeObject): boolean {
  return healthyConditions("").some((condition) => conditionStatus(node, condition.type) !== condition.status);
}

export function postNodeStatus(draft: KubeObject, identity: NodeIdentity, now: string): void {
  setConditions(draft, healthyConditions(now), now);
  const status = (draft.status ??= {});
  status.nodeInfo = {
    ...asRecord(status.nodeInfo),
    machineID: identity.machineId,
    systemUUID: identity.machineId,
    bootID: identity.bootId,
    kernelVersion: "6.14.5-300.fc42.x86_64",
    osImage: "Fedora CoreOS 42",
    containerRuntimeVersion: identity.containerRuntimeVersion,
    kubeletVersion: identity.kubeletVersion,
    operatingSystem: "linux",
    architecture: "amd64",
  };
  if (asList(status.addresses).length === 0) {
    status.addresses = [
      { type: "InternalIP", address: identity.internalIp },
      { type: "Hostname", address: draft.metadata.name ?? "" },
    ];
  }
  status.daemonEndpoints = { kubeletEndpoint: { Port: 10250 } };
  defaultCapacity(status);
}

function defaultCapacity(status: Record<string, unknown>): void {
  const capacity = { ...asRecord(status.capacity) };
  capacity.pods ??= DEFAULT_MAX_PODS;
  status.capacity = capacity;
  if (!isRecord(status.allocatable)) status.allocatable = { ...capacity };
  else status.allocatable = { pods: capacity.pods, ...status.allocatable };
}

/** The node's InternalIP, which pods report as hostIP. */
export function internalIpOf(node: KubeObject): string | undefined {
  for (const address of asList(node.status?.addresses)) {
    if (isRecord(address) && address.type === "InternalIP" && typeof address.address === "string")
      return address.address;
  }
  return undefined;
}
