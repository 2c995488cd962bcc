/**
 * A VM before placement: its full snapshot spec with an empty node, plus what placement needs to
 * know that the spec alone would make it re-derive (its anti-affinity group, a hostname pin).
 * The helpers here give every VM the fields KubeVirt would: a VM owner, a root disk on shared
 * storage, a run strategy and an eviction strategy.
 */
import type { Rng } from "../core/numeric/rng.ts";
import type { SnapshotVm } from "../core/model/snapshot.ts";
import { KUBEDRS } from "../core/model/kubedrs-labels.ts";
import { chance } from "./distributions.ts";
import { MACHINE_TYPES } from "./node-builder.ts";
import type { Tenant } from "./namespaces.ts";
import type { RenderedResources, VmShape } from "./vm-shapes.ts";

export type VmKind =
  | "standard"
  | "gpu"
  | "rwo-disk"
  | "bridge-interface"
  | "dedicated"
  | "host-passthrough"
  | "named-model"
  | "db-replica"
  | "zone-replica"
  | "soft-spread"
  | "pinned";

/** Members of one group may not share a value of `topologyKey` (required pod anti-affinity). */
export interface SpreadGroup {
  readonly group: string;
  readonly topologyKey: string;
}

export interface VmDraft {
  /** The VM as it will appear in the snapshot; `node` stays empty until placement. */
  readonly spec: SnapshotVm;
  readonly kind: VmKind;
  readonly spread: SpreadGroup | undefined;
  /** Pinned with a kubernetes.io/hostname nodeSelector to whichever node placement picks. */
  readonly pinToHost: boolean;
}

export interface VmIdentity {
  readonly tenant: Tenant;
  readonly app: string;
  readonly name: string;
}

type RunStrategy = NonNullable<SnapshotVm["runStrategy"]>;
type EvictionStrategy = SnapshotVm["evictionStrategy"];

const RUN_STRATEGIES: readonly (readonly [RunStrategy, number])[] = [
  ["Always", 85],
  ["RerunOnFailure", 9],
  ["Manual", 6],
];

/** `undefined` leaves the cluster-wide default in force. */
const MIGRATABLE_EVICTION: readonly (readonly [EvictionStrategy, number])[] = [
  ["LiveMigrate", 86],
  ["LiveMigrateIfPossible", 6],
  [undefined, 6],
  ["None", 2],
];

/** Most owners of unmovable VMs opt out of eviction; some keep LiveMigrate and block drains. */
const PINNED_EVICTION: readonly (readonly [EvictionStrategy, number])[] = [
  ["None", 70],
  ["LiveMigrate", 30],
];

const EXCLUDED_SHARE = 0.005;

export function vmSpec(identity: VmIdentity, shape: VmShape, resources: RenderedResources): SnapshotVm {
  const { tenant, app, name } = identity;
  const vm: SnapshotVm = {
    namespace: tenant.name,
    name,
    owner: name,
    node: "",
    phase: "Running",
    labels: { app },
    annotations: {},
    requests: resources.requests,
    guestMemory: shape.memory,
    cpu: {
      vcpus: shape.vcpus,
      model: "",
      dedicated: false,
      isolateEmulatorThread: false,
      numaPassthrough: false,
      realtime: false,
      features: [],
    },
    machineType: MACHINE_TYPES[0],
    nodeSelector: {},
    tolerations: [],
    liveMigratable: { status: "True" },
    volumes: [
      {
        name: "rootdisk",
        source: "dataVolume",
        claimName: `${name}-rootdisk`,
        accessModes: ["ReadWriteMany"],
        volumeMode: "Block",
      },
      { name: "cloudinitdisk", source: "cloudInitNoCloud" },
    ],
    hostDevices: [],
    sriovNetworks: [],
  };
  if (resources.limits) vm.limits = resources.limits;
  return vm;
}

/** Run strategy, eviction strategy and the odd kubedrs opt-out, as owners tend to set them. */
export function applyLifecycle(rng: Rng, vm: SnapshotVm): void {
  vm.runStrategy = rng.weighted(RUN_STRATEGIES);
  const migratable = vm.liveMigratable.status === "True";
  const eviction = rng.weighted(migratable ? MIGRATABLE_EVICTION : PINNED_EVICTION);
  if (eviction) vm.evictionStrategy = eviction;
  if (chance(rng, EXCLUDED_SHARE)) vm.annotations[KUBEDRS.exclude] = "true";
}

/** A bare VMI created without a VirtualMachine: no owner and no run strategy, so nothing restarts it. */
export function makeStandalone(vm: SnapshotVm): void {
  delete vm.owner;
  delete vm.runStrategy;
}

export function markNotMigratable(vm: SnapshotVm, reason: string, message: string): void {
  vm.liveMigratable = { status: "False", reason, message };
}
