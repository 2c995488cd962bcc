/**
 * One builder per kind of VM the planner must treat differently: GPU passthrough, RWO disks and
 * bridge interfaces (not live-migratable, with KubeVirt's exact reasons), dedicated CPUs with 1Gi
 * hugepages, host-passthrough and named CPU models, replica groups with anti-affinity, and VMs
 * pinned by nodeSelector. Each builder returns one VM, or a whole replica group.
 */
import { LABEL } from "../core/model/kubevirt-labels.ts";
import { KUBEDRS } from "../core/model/kubedrs-labels.ts";
import type { SnapshotVm } from "../core/model/snapshot.ts";
import type { Rng } from "../core/numeric/rng.ts";
import type { Affinity } from "../core/schema/fields.ts";
import { NAMED_VM_MODELS } from "./cpu-catalog.ts";
import { chance } from "./distributions.ts";
import { TENANTS, type Tenant, tenantNamed } from "./namespaces.ts";
import { GPU_RESOURCE, GPU_TAINT, INSTANCE_TYPE_LABEL, ZONES } from "./node-builder.ts";
import { type VmDraft, type VmKind, applyLifecycle, makeStandalone, markNotMigratable, vmSpec } from "./vm-draft.ts";
import {
  DATABASE_SHAPES,
  DEDICATED_SHAPES,
  GENERAL_SHAPES,
  GPU_SHAPES,
  type ResourceOptions,
  SHARED_CPU,
  type VmShape,
  type Weighted,
  renderResources,
} from "./vm-shapes.ts";

export interface KindContext {
  readonly rng: Rng;
  /** Unique per call: names the VM, or the replica group. */
  readonly serial: string;
  /** Instance types present in the fleet's general pools, for VMs pinned to one. */
  readonly instanceTypes: readonly string[];
}

export type KindBuilder = (context: KindContext) => VmDraft[];

const TENANT_MIX: Weighted<Tenant> = TENANTS.map((tenant) => [tenant, tenant.share]);
const STANDALONE_SHARE = 0.01;

const NOT_MIGRATABLE = {
  hostDevice: ["HostDeviceNotLiveMigratable", "VMI uses a PCI host devices"],
  interface: [
    "InterfaceNotLiveMigratable",
    "cannot migrate VMI which does not use masquerade, bridge with kubevirt.io/allow-pod-bridge-network-live-migration VM annotation or a migratable plugin to connect to the pod network",
  ],
} as const;

function draft(context: KindContext, kind: VmKind, spec: SnapshotVm): VmDraft {
  applyLifecycle(context.rng, spec);
  return { spec, kind, spread: undefined, pinToHost: false };
}

function tenantFrom(rng: Rng, names: readonly string[]): Tenant {
  return tenantNamed(rng.pick(names));
}

function singleVm(
  context: KindContext,
  tenant: Tenant,
  shapes: Weighted<VmShape> = GENERAL_SHAPES,
  options: ResourceOptions = SHARED_CPU,
): SnapshotVm {
  const app = context.rng.pick(tenant.apps);
  const shape = context.rng.weighted(shapes);
  return vmSpec({ tenant, app, name: `${app}-${context.serial}` }, shape, renderResources(shape, options));
}

function standard(context: KindContext): VmDraft[] {
  const vm = draft(context, "standard", singleVm(context, context.rng.weighted(TENANT_MIX)));
  if (chance(context.rng, STANDALONE_SHARE)) makeStandalone(vm.spec);
  return [vm];
}

function gpu(context: KindContext): VmDraft[] {
  const options = { ...SHARED_CPU, gpus: 1 };
  const vm = singleVm(context, tenantNamed("ml-training"), GPU_SHAPES, options);
  vm.hostDevices = [{ name: "gpu1", deviceName: GPU_RESOURCE, kind: "gpu" }];
  vm.tolerations = [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }];
  markNotMigratable(vm, ...NOT_MIGRATABLE.hostDevice);
  return [draft(context, "gpu", vm)];
}

/** A root disk on ReadWriteOnce storage: KubeVirt refuses to live-migrate it. */
function rwoDisk(context: KindContext): VmDraft[] {
  const tenant = chance(context.rng, 0.6) ? tenantNamed("legacy-erp") : context.rng.weighted(TENANT_MIX);
  const vm = singleVm(context, tenant);
  const claimName = `${vm.name}-rootdisk`;
  vm.volumes = [
    {
      name: "rootdisk",
      source: "persistentVolumeClaim",
      claimName,
      accessModes: ["ReadWriteOnce"],
      volumeMode: "Filesystem",
    },
    { name: "cloudinitdisk", source: "cloudInitNoCloud" },
  ];
  markNotMigratable(
    vm,
    "DisksNotLiveMigratable",
    `cannot migrate VMI: PVC ${claimName} is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`,
  );
  return [draft(context, "rwo-disk", vm)];
}

/** Bridge binding on the pod network, without the annotation that allows migrating it. */
function bridgeInterface(context: KindContext): VmDraft[] {
  const vm = singleVm(context, tenantFrom(context.rng, ["infra", "legacy-erp"]));
  markNotMigratable(vm, ...NOT_MIGRATABLE.interface);
  return [draft(context, "bridge-interface", vm)];
}

/** Dedicated CPUs and 1Gi hugepages, which the CPU-manager pool's single-numa-node policy serves from one cell. */
function dedicated(context: KindContext): VmDraft[] {
  const { rng } = context;
  const isolateEmulatorThread = chance(rng, 0.3);
  const options = { dedicated: true, isolateEmulatorThread, hugepages: true, gpus: 0 };
  const vm = singleVm(context, tenantFrom(rng, ["analytics", "prod-db"]), DEDICATED_SHAPES, options);
  vm.cpu = { ...vm.cpu, dedicated: true, isolateEmulatorThread, numaPassthrough: chance(rng, 0.3) };
  vm.hugepages = { pageSize: "1Gi" };
  vm.nodeSelector = { [LABEL.cpuManager]: "true" };
  return [draft(context, "dedicated", vm)];
}

function hostPassthrough(context: KindContext): VmDraft[] {
  const vm = singleVm(context, tenantFrom(context.rng, ["analytics", "ci-runners", "dev-sandbox"]));
  vm.cpu.model = "host-passthrough";
  return [draft(context, "host-passthrough", vm)];
}

function namedModel(context: KindContext): VmDraft[] {
  const vm = singleVm(context, context.rng.weighted(TENANT_MIX));
  vm.cpu.model = context.rng.weighted(NAMED_VM_MODELS);
  return [draft(context, "named-model", vm)];
}

type PinMode = "zone" | "instance-type" | "hostname";

const PIN_MODES: Weighted<PinMode> = [
  ["zone", 4],
  ["instance-type", 4],
  ["hostname", 2],
];

function pinned(context: KindContext): VmDraft[] {
  const { rng } = context;
  const vm = draft(context, "pinned", singleVm(context, rng.weighted(TENANT_MIX)));
  const mode = context.instanceTypes.length > 0 ? rng.weighted(PIN_MODES) : "zone";
  if (mode === "hostname") return [{ ...vm, pinToHost: true }];
  vm.spec.nodeSelector =
    mode === "zone" ? { [LABEL.zone]: rng.pick(ZONES) } : { [INSTANCE_TYPE_LABEL]: rng.pick(context.instanceTypes) };
  return [vm];
}

interface ReplicaGroup {
  readonly kind: VmKind;
  readonly tenant: Tenant;
  readonly size: number;
  readonly topologyKey: string;
  readonly required: boolean;
  readonly shapes: Weighted<VmShape>;
  readonly labels: Readonly<Record<string, string>>;
}

function antiAffinity(app: string, topologyKey: string, required: boolean): Affinity {
  const term = { labelSelector: { matchLabels: { app } }, topologyKey };
  return required
    ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } }
    : {
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
      };
}

/** Replicas of one app, alike in shape, kept apart by pod anti-affinity on hostname or zone. */
function replicaGroup(context: KindContext, group: ReplicaGroup): VmDraft[] {
  const { rng } = context;
  const app = `${rng.pick(group.tenant.apps)}-${context.serial}`;
  const shape = rng.weighted(group.shapes);
  const spread = group.required ? { group: `${group.tenant.name}/${app}`, topologyKey: group.topologyKey } : undefined;
  const drafts: VmDraft[] = [];
  for (let replica = 0; replica < group.size; replica += 1) {
    const name = `${app}-${replica}`;
    const vm = vmSpec({ tenant: group.tenant, app, name }, shape, renderResources(shape, SHARED_CPU));
    vm.labels = { ...vm.labels, ...group.labels };
    vm.affinity = antiAffinity(app, group.topologyKey, group.required);
    drafts.push({ ...draft(context, group.kind, vm), spread });
  }
  return drafts;
}

export const GROUP_SIZES: Readonly<Partial<Record<VmKind, number>>> = {
  "db-replica": 3,
  "zone-replica": ZONES.length,
  "soft-spread": 5,
};

function dbReplicas(context: KindContext): VmDraft[] {
  return replicaGroup(context, {
    kind: "db-replica",
    tenant: tenantNamed("prod-db"),
    size: GROUP_SIZES["db-replica"] ?? 3,
    topologyKey: LABEL.hostname,
    required: true,
    shapes: DATABASE_SHAPES,
    labels: { workload: "database", [KUBEDRS.restartPriority]: "high" },
  });
}

function zoneReplicas(context: KindContext): VmDraft[] {
  return replicaGroup(context, {
    kind: "zone-replica",
    tenant: tenantNamed("prod-web"),
    size: GROUP_SIZES["zone-replica"] ?? 3,
    topologyKey: LABEL.zone,
    required: true,
    shapes: GENERAL_SHAPES,
    labels: { [KUBEDRS.restartPriority]: "medium" },
  });
}

function softSpread(context: KindContext): VmDraft[] {
  return replicaGroup(context, {
    kind: "soft-spread",
    tenant: tenantFrom(context.rng, ["ci-runners", "prod-web"]),
    size: GROUP_SIZES["soft-spread"] ?? 5,
    topologyKey: LABEL.hostname,
    required: false,
    shapes: GENERAL_SHAPES,
    labels: {},
  });
}

export const KIND_BUILDERS: Readonly<Record<VmKind, KindBuilder>> = {
  standard,
  gpu,
  "rwo-disk": rwoDisk,
  "bridge-interface": bridgeInterface,
  dedicated,
  "host-passthrough": hostPassthrough,
  "named-model": namedModel,
  "db-replica": dbReplicas,
  "zone-replica": zoneReplicas,
  "soft-spread": softSpread,
  pinned,
};
