/**
 * What the cache keeps of each object: everything the snapshot converters and the controller read,
 * nothing the API server or KubeVirt keep for themselves. Every object loses managedFields and
 * last-applied copies. A virt-launcher pod keeps only its scheduling facts; a VirtualMachine only
 * its name, how it runs and the DataVolumes it asked for (its template is the VMI, which the cache
 * holds anyway); a VMI drops KubeVirt's bookkeeping from its metadata and status, and of its
 * conditions keeps LiveMigratable; parts a VM template makes alike are kept once
 * (shared-subtrees.ts); a Node keeps its taints, conditions and resources (not its images, volumes,
 * addresses or system info, which on a real node run to kilobytes). At 30,000 VMs the cache is most of the controller's live heap
 * (`npm run bench -- controller` prices each resource).
 */
import { isJsonObject, type JsonObject } from "../../adapters/kube/convert/meta.ts";
import { LAUNCHER_LABELS } from "../../adapters/kube/convert/join.ts";
import { SharedSubtrees } from "./shared-subtrees.ts";

/** The parts templates make alike, one copy for the whole process (see shared-subtrees.ts). */
const shared = new SharedSubtrees();

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** VirtualMachine metadata the converters read: a VM is found by its VMI's owner reference or name. */
const VM_METADATA_FIELDS = ["name", "namespace"] as const;

/** VirtualMachine spec fields the converters read (src/adapters/kube/convert/virtual-machine.ts). */
const VM_SPEC_FIELDS = ["runStrategy", "running", "dataVolumeTemplates"] as const;

/**
 * VMI status fields the converters (vm.ts, snapshot.ts, vm-resources.ts, vm-volumes.ts) and the
 * executor read. Left behind: phase transition times, interfaces, guest OS info, active pods,
 * QoS class, migration state and method, launcher image and the like.
 */
const VMI_STATUS_FIELDS = ["phase", "nodeName", "conditions", "machine", "topologyHints", "memory"] as const;

/**
 * Metadata nothing reads of a VMI or a launcher pod: the API server's and the garbage collector's
 * bookkeeping. The reflector takes resourceVersion from each watch event before it is trimmed.
 */
const BOOKKEEPING = ["finalizers", "creationTimestamp", "generation", "resourceVersion", "generateName"] as const;

/**
 * VMI spec fields each VMI has its own of: its disks' claims, its host names. The rest (domain,
 * networks, scheduling constraints) comes from the VM's template and is shared.
 */
const VMI_OWN_SPEC_FIELDS = ["volumes", "hostname", "subdomain"] as const;
/** KubeVirt gives each VMI its own firmware UUID and serial; the domain's other parts are the template's. */
const DOMAIN_OWN_FIELDS = ["firmware"] as const;
/** VMI status parts that are alike across a template's VMs (no timestamps, no node). */
const VMI_SHARED_STATUS_FIELDS = ["machine", "topologyHints", "memory"] as const;

/** Node fields the converters read (src/adapters/kube/convert/node.ts); metadata is kept whole. */
const NODE_SPEC_FIELDS = ["taints", "unschedulable"] as const;
const NODE_STATUS_FIELDS = ["conditions", "capacity", "allocatable"] as const;

function slimMetadata(metadata: unknown): JsonObject | undefined {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const { managedFields: _managed, annotations, ...kept } = metadata as JsonObject & { annotations?: JsonObject };
  if (annotations === undefined || !(LAST_APPLIED in annotations)) return annotations ? { ...kept, annotations } : kept;
  const { [LAST_APPLIED]: _applied, ...otherAnnotations } = annotations;
  return { ...kept, annotations: otherAnnotations };
}

/** The fields of `object` named in `fields` that it has, so a field that is absent stays absent. */
function pick(object: JsonObject, fields: readonly string[]): JsonObject {
  return Object.fromEntries(fields.filter((field) => field in object).map((field) => [field, object[field]]));
}

/** `object` without the fields named in `fields`. */
function omit(object: JsonObject, fields: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([field]) => !fields.includes(field)));
}

/** An owner reference as the converters read it: which kind, and its name (vm.ts, meta.ts ownerName). */
function slimOwner(reference: unknown): unknown {
  return isJsonObject(reference) ? pick(reference, ["kind", "name"]) : reference;
}

/** Metadata without the bookkeeping, owner references cut to kind and name. */
function slimOwnedMetadata(metadata: JsonObject): JsonObject {
  const kept = omit(metadata, BOOKKEEPING);
  const owners = metadata.ownerReferences;
  return Array.isArray(owners) ? { ...kept, ownerReferences: owners.map(slimOwner) } : kept;
}

/** The metadata trimmed, or the object as it is when it has none to trim. */
function withSlimMetadata(object: JsonObject): JsonObject {
  const metadata = slimMetadata(object.metadata);
  return metadata === undefined ? object : { ...object, metadata };
}

/** `object` with each named field that it has replaced by the shared copy. */
function shareFields(object: JsonObject, fields: readonly string[]): JsonObject {
  const copy = { ...object };
  for (const field of fields) if (field in copy) copy[field] = shared.share(copy[field]);
  return copy;
}

/** `object` with every field but the named ones replaced by the shared copy. */
function shareAllBut(object: JsonObject, own: readonly string[]): JsonObject {
  return shareFields(
    object,
    Object.keys(object).filter((field) => !own.includes(field)),
  );
}

/**
 * A VirtualMachine: its name and namespace (what joins it to its VMI), run strategy and DataVolume
 * templates; no labels or annotations (the VMI's are read), no template, no status.
 */
function trimVirtualMachine(vm: JsonObject): JsonObject {
  const trimmed = {
    ...pick(vm, ["apiVersion", "kind", "metadata"]),
    ...(isJsonObject(vm.metadata) && { metadata: pick(vm.metadata, VM_METADATA_FIELDS) }),
  };
  if (!isJsonObject(vm.spec)) return { ...trimmed, ...pick(vm, ["spec"]) };
  const spec = pick(vm.spec, VM_SPEC_FIELDS);
  // DataVolume templates name each VM's own volumes; without them the spec is one of a few run strategies.
  return { ...trimmed, spec: "dataVolumeTemplates" in spec ? spec : shared.share(spec) };
}

/**
 * A VMI's conditions as vm.ts reads them: LiveMigratable's status, reason and message (which say
 * whether and why not it can move), without the timestamps that make every VMI's copy its own.
 * An entry that is not an object stays, so the converters warn about it as before.
 */
function slimConditions(conditions: unknown): unknown {
  if (!Array.isArray(conditions)) return conditions;
  return (conditions as unknown[])
    .filter((condition) => !isJsonObject(condition) || condition.type === "LiveMigratable")
    .map((condition) =>
      isJsonObject(condition) ? shared.share(pick(condition, ["type", "status", "reason", "message"])) : condition,
    );
}

/** A volumeStatus entry: its name and the claim's modes (what a volume's migratability is read from). */
function slimVolumeStatus(entry: unknown): unknown {
  if (!isJsonObject(entry)) return entry;
  const claim = entry.persistentVolumeClaimInfo;
  const kept = pick(entry, ["name"]);
  return claim === undefined
    ? kept
    : { ...kept, persistentVolumeClaimInfo: isJsonObject(claim) ? pick(claim, ["accessModes", "volumeMode"]) : claim };
}

/** A VMI's spec whole (the whole domain is read), its template's parts shared. */
function shareVmiSpec(spec: JsonObject): JsonObject {
  const { domain } = spec;
  const kept = shareAllBut(spec, [...VMI_OWN_SPEC_FIELDS, "domain"]);
  return isJsonObject(domain) ? { ...kept, domain: shareAllBut(domain, DOMAIN_OWN_FIELDS) } : kept;
}

/** A VMI: identity, labels, annotations and owners; spec whole, template parts shared; status cut down. */
function trimVirtualMachineInstance(vmi: JsonObject): JsonObject {
  const slim = withSlimMetadata(vmi);
  const withMetadata = isJsonObject(slim.metadata) ? { ...slim, metadata: slimOwnedMetadata(slim.metadata) } : slim;
  const trimmed = isJsonObject(vmi.spec) ? { ...withMetadata, spec: shareVmiSpec(vmi.spec) } : withMetadata;
  if (!isJsonObject(vmi.status)) return trimmed;
  const volumes = vmi.status.volumeStatus;
  const status = {
    ...shareFields(pick(vmi.status, VMI_STATUS_FIELDS), VMI_SHARED_STATUS_FIELDS),
    ...("conditions" in vmi.status && { conditions: slimConditions(vmi.status.conditions) }),
    ...(volumes !== undefined && {
      volumeStatus: Array.isArray(volumes) ? volumes.map((entry) => shared.share(slimVolumeStatus(entry))) : volumes,
    }),
  };
  return { ...trimmed, status };
}

/** A Node: metadata, taints and schedulability, conditions, capacity and allocatable. */
function trimNode(node: JsonObject): JsonObject {
  const { spec, status } = node;
  return {
    ...withSlimMetadata(node),
    ...(spec !== undefined && { spec: isJsonObject(spec) ? pick(spec, NODE_SPEC_FIELDS) : spec }),
    ...(status !== undefined && { status: isJsonObject(status) ? pick(status, NODE_STATUS_FIELDS) : status }),
  };
}

const BY_KIND: ReadonlyMap<unknown, (object: JsonObject) => JsonObject> = new Map([
  ["Node", trimNode],
  ["VirtualMachine", trimVirtualMachine],
  ["VirtualMachineInstance", trimVirtualMachineInstance],
]);

/**
 * Any object, by its kind. List items of custom resources (VMs, VMIs) always carry their kind; an
 * object without one keeps everything but its managedFields and last-applied copy.
 */
export function trimObject(object: JsonObject): JsonObject {
  const byKind = BY_KIND.get(object.kind);
  return byKind ? byKind(object) : withSlimMetadata(object);
}

function slimContainer(container: unknown): JsonObject {
  const { name, resources, restartPolicy } = (container ?? {}) as JsonObject;
  return { name, resources, ...(restartPolicy !== undefined && { restartPolicy }) };
}

function slimContainers(list: unknown): JsonObject[] | undefined {
  return Array.isArray(list) ? list.map(slimContainer) : undefined;
}

/** The labels that join a launcher pod to its VMI; the VMI's own labels are read from the VMI. */
function slimLauncherLabels(labels: unknown): unknown {
  return isJsonObject(labels) ? pick(labels, LAUNCHER_LABELS) : labels;
}

/**
 * A launcher pod: name, the labels that join it to its VMI (its UID among them), node, requests,
 * limits, overhead, migration selectors, phase. Owners are not read: the pod is joined to its VMI
 * by the UID label.
 */
export function trimPod(pod: JsonObject): JsonObject {
  const spec = (pod.spec ?? {}) as JsonObject;
  const status = (pod.status ?? {}) as JsonObject;
  const metadata = slimMetadata(pod.metadata) ?? {};
  const {
    annotations: _annotations,
    ownerReferences: _owners,
    uid: _uid,
    ...podMetadata
  } = omit(metadata, BOOKKEEPING);
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata:
      "labels" in podMetadata ? { ...podMetadata, labels: slimLauncherLabels(podMetadata.labels) } : podMetadata,
    spec: {
      nodeName: spec.nodeName,
      nodeSelector: shared.share(spec.nodeSelector),
      containers: shared.share(slimContainers(spec.containers)),
      initContainers: shared.share(slimContainers(spec.initContainers)),
      overhead: shared.share(spec.overhead),
    },
    status: shared.share({ phase: status.phase }),
  };
}
