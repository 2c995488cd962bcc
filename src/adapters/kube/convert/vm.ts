/**
 * A running VirtualMachineInstance, with its virt-launcher pod, owning VirtualMachine and claims,
 * as the snapshot's VM.
 */
import type { V1PersistentVolumeClaim, V1Pod } from "@kubernetes/client-node";
import type { SnapshotVm } from "../../../core/model/snapshot.ts";
import { compact } from "./compact.ts";
import { CONDITION_STATUSES, EVICTION_STRATEGIES } from "./enums.ts";
import { Field } from "./field.ts";
import { type Converted, Issues } from "./issues.ts";
import { migrationSelectorsOf } from "./launcher-pod.ts";
import { describeObject, type JsonObject, type KubeObject, peekString } from "./meta.ts";
import { affinityFrom, tolerationFrom } from "./scheduling.ts";
import { dataVolumeTemplatesOf, runStrategyOf } from "./virtual-machine.ts";
import { cpuOf } from "./vm-cpu.ts";
import { hostDevicesOf, sriovNetworksOf } from "./vm-devices.ts";
import { guestMemoryOf, hugepagesOf, limitsOf, requestsOf } from "./vm-resources.ts";
import { volumesOf } from "./vm-volumes.ts";

type EvictionStrategy = NonNullable<SnapshotVm["evictionStrategy"]>;

const PHASES = ["Pending", "Scheduling", "Scheduled", "Running", "Succeeded", "Failed", "Unknown"] as const;

/** The objects around a VMI that the conversion reads. */
export interface VmSources {
  /** The virt-launcher pod on the VMI's node. */
  readonly pod?: KubeObject<V1Pod>;
  /** The owning VirtualMachine. */
  readonly vm?: JsonObject;
  /** PersistentVolumeClaims; only those in the VMI's namespace are read. */
  readonly pvcs?: readonly KubeObject<V1PersistentVolumeClaim>[];
  /**
   * Fills evictionStrategy when the VMI sets none. Leave it out when building a whole snapshot: there
   * the cluster default lives in the kubevirt section.
   */
  readonly clusterEvictionStrategy?: EvictionStrategy;
  readonly usage?: SnapshotVm["usage"];
}

/** The VMI and its related objects, each a cursor whose problems count against the VMI. */
interface Roots {
  readonly vmi: Field;
  readonly pod: Field | undefined;
  readonly vm: Field | undefined;
  readonly pvcs: readonly Field[];
}

/** Claims of other namespaces can never back this VMI's volumes. */
function claimsOfNamespace(vmi: JsonObject, pvcs: VmSources["pvcs"]): readonly unknown[] {
  const namespace = peekString(vmi, ["metadata", "namespace"]);
  return (pvcs ?? []).filter((pvc) => peekString(pvc, ["metadata", "namespace"]) === namespace);
}

function rootsOf(vmi: JsonObject, sources: VmSources, issues: Issues): Roots {
  const related = (kind: string, object: unknown): Field => Field.root(object, issues, describeObject(kind, object));
  return {
    vmi: Field.root(vmi, issues),
    pod: sources.pod === undefined ? undefined : related("Pod", sources.pod),
    vm: sources.vm === undefined ? undefined : related("VirtualMachine", sources.vm),
    pvcs: claimsOfNamespace(vmi, sources.pvcs).map((pvc) => related("PersistentVolumeClaim", pvc)),
  };
}

function ownerOf(meta: Field, vm: Field | undefined): string | undefined {
  const owner = meta
    .key("ownerReferences")
    .list()
    .find((reference) => reference.key("kind").value === "VirtualMachine");
  return owner?.key("name").string() ?? vm?.key("metadata").key("name").string();
}

function identityOf({
  vmi,
  vm,
}: Roots): Pick<SnapshotVm, "namespace" | "name" | "uid" | "owner" | "labels" | "annotations"> {
  const meta = vmi.key("metadata");
  return compact({
    namespace: meta.key("namespace").required().string() ?? "",
    name: meta.key("name").required().string() ?? "",
    uid: meta.key("uid").string(),
    owner: ownerOf(meta, vm),
    labels: meta.key("labels").stringMap() ?? {},
    annotations: meta.key("annotations").stringMap() ?? {},
  });
}

/** Phases the snapshot does not model (WaitingForSync) and the empty phase count as not yet running. */
function phaseOf(status: Field): SnapshotVm["phase"] {
  const phase = status.key("phase").value;
  return PHASES.find((known) => known === phase) ?? "Pending";
}

function liveMigratableOf(status: Field): SnapshotVm["liveMigratable"] {
  const condition = status
    .key("conditions")
    .list()
    .find((item) => item.key("type").value === "LiveMigratable");
  if (condition === undefined) return { status: "Unknown" };
  return compact({
    status: condition.key("status").required().oneOf(CONDITION_STATUSES) ?? "Unknown",
    reason: condition.key("reason").string(),
    message: condition.key("message").string(),
  });
}

function lifecycleOf(
  { vmi, vm }: Roots,
  clusterEvictionStrategy: EvictionStrategy | undefined,
): Pick<SnapshotVm, "node" | "phase" | "runStrategy" | "evictionStrategy" | "liveMigratable"> {
  const status = vmi.key("status");
  return compact({
    node: status.key("nodeName").required().string() ?? "",
    phase: phaseOf(status),
    runStrategy: vm === undefined ? undefined : runStrategyOf(vm),
    evictionStrategy: vmi.key("spec").key("evictionStrategy").oneOf(EVICTION_STRATEGIES) ?? clusterEvictionStrategy,
    liveMigratable: liveMigratableOf(status),
  });
}

function resourcesOf({ vmi, pod }: Roots): Pick<SnapshotVm, "requests" | "limits" | "guestMemory"> {
  const domain = vmi.key("spec").key("domain");
  const guestMemory = guestMemoryOf(vmi);
  return compact({
    requests: requestsOf(domain, pod, guestMemory),
    limits: limitsOf(domain, pod),
    guestMemory,
  });
}

function hardwareOf(vmi: Field): Pick<SnapshotVm, "cpu" | "hugepages" | "machineType" | "tscFrequency"> {
  const domain = vmi.key("spec").key("domain");
  const status = vmi.key("status");
  return compact({
    cpu: cpuOf(domain),
    hugepages: hugepagesOf(domain),
    machineType: status.key("machine").key("type").string() ?? domain.key("machine").key("type").string(),
    tscFrequency: status.key("topologyHints").key("tscFrequency").integer(),
  });
}

function placementOf(spec: Field): Pick<SnapshotVm, "nodeSelector" | "affinity" | "tolerations" | "priorityClassName"> {
  return compact({
    nodeSelector: spec.key("nodeSelector").stringMap() ?? {},
    affinity: affinityFrom(spec.key("affinity")),
    tolerations: spec.key("tolerations").listOf(tolerationFrom) ?? [],
    priorityClassName: spec.key("priorityClassName").string(),
  });
}

function attachmentsOf({ vmi, vm, pvcs }: Roots): Pick<SnapshotVm, "volumes" | "hostDevices" | "sriovNetworks"> {
  const spec = vmi.key("spec");
  const devices = spec.key("domain").key("devices");
  const claimSources = {
    pvcs,
    volumeStatus: vmi.key("status").key("volumeStatus").list(),
    dataVolumeTemplates: vm === undefined ? [] : dataVolumeTemplatesOf(vm),
  };
  return {
    volumes: volumesOf(spec, claimSources),
    hostDevices: hostDevicesOf(devices),
    sriovNetworks: sriovNetworksOf(devices),
  };
}

/**
 * Converts a VMI. Requests come from the virt-launcher pod when given, because that is what the
 * scheduler accounts; anything odd in the VMI or its related objects leaves the VM out.
 */
export function vmFromKube(vmi: JsonObject, sources: VmSources = {}): Converted<SnapshotVm> {
  const issues = new Issues(describeObject("VirtualMachineInstance", vmi));
  const roots = rootsOf(vmi, sources, issues);
  const vm: SnapshotVm = compact({
    ...identityOf(roots),
    ...lifecycleOf(roots, sources.clusterEvictionStrategy),
    ...resourcesOf(roots),
    ...hardwareOf(roots.vmi),
    ...placementOf(roots.vmi.key("spec")),
    ...attachmentsOf(roots),
    migrationSelectors: roots.pod === undefined ? undefined : migrationSelectorsOf(roots.pod),
    usage: sources.usage,
  });
  return issues.result(vm);
}
