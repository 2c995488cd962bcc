/**
 * A twin for the KubeVirt tests: namespaces, nodes labelled as KubeVirt's node-labeller and heartbeat
 * label them (with a powered host in the truth), a KubeVirt CR and VMs, written through the store.
 * When the twin has no kube-scheduler or kubelet yet, minimal stand-ins bind and run pods (test only).
 * Builders take an override hook (descheduler's BuildTestNode(..., apply) style).
 */
import type { KubeObject } from "../../../src/twin/api/types.ts";
import { Twin } from "../../../src/twin/twin.ts";

export const START = Date.parse("2026-03-02T08:00:00Z");
export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
export const NAMESPACE = "vms";

export const INTEL_LABELS: Readonly<Record<string, string>> = {
  "cpu-vendor.node.kubevirt.io/Intel": "true",
  "host-model-cpu.node.kubevirt.io/Skylake-Server-IBRS": "true",
  "host-model-required-features.node.kubevirt.io/invtsc": "true",
  "cpu-model.node.kubevirt.io/Skylake-Server-IBRS": "true",
  "cpu-model.node.kubevirt.io/Cascadelake-Server": "true",
  "cpu-model-migration.node.kubevirt.io/Skylake-Server-IBRS": "true",
  "cpu-feature.node.kubevirt.io/invtsc": "true",
};

export const AMD_LABELS: Readonly<Record<string, string>> = {
  "cpu-vendor.node.kubevirt.io/AMD": "true",
  "host-model-cpu.node.kubevirt.io/EPYC-Milan": "true",
  "cpu-model.node.kubevirt.io/EPYC-Milan": "true",
  "cpu-model-migration.node.kubevirt.io/EPYC-Milan": "true",
};

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at a path of keys and indices, or undefined. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === "number") current = Array.isArray(current) ? current[key] : undefined;
    else current = isJson(current) ? current[key] : undefined;
  }
  return current;
}

/** The record at a path of a draft, created when missing (for override hooks). */
export function recordIn(value: Json, ...path: string[]): Json {
  let current = value;
  for (const key of path) {
    const next = current[key];
    current = isJson(next) ? next : (current[key] = {});
  }
  return current;
}

export function listAt(value: unknown, ...path: (string | number)[]): unknown[] {
  const found = at(value, ...path);
  return Array.isArray(found) ? found : [];
}

export function textAt(value: unknown, ...path: (string | number)[]): string {
  const found = at(value, ...path);
  return typeof found === "string" ? found : "";
}

/** A VM's spec.template.spec, for override hooks. */
export function templateSpec(vm: KubeObject): Json {
  return recordIn((vm.spec ??= {}), "template", "spec");
}

export interface NodeOptions {
  readonly labels?: Readonly<Record<string, string>>;
  readonly cpu?: string;
  readonly memory?: string;
  /** twin.kubedrs.io/migration-bandwidth, bytes per second. */
  readonly bandwidth?: number;
  readonly apply?: (node: KubeObject) => void;
}

export interface FixtureOptions {
  readonly seed?: number;
  /** Node name → options; default three Intel nodes. */
  readonly nodes?: Readonly<Record<string, NodeOptions>>;
  /** The KubeVirt CR's spec.configuration (none: no CR). */
  readonly configuration?: Record<string, unknown> | undefined;
}

export function ensureNamespace(twin: Twin, name: string, labels: Record<string, string> = {}): void {
  const { store, resources } = twin.runtime;
  if (store.get(resources.namespaces, undefined, name)) return;
  store.create(resources.namespaces, { metadata: { name, labels }, spec: {}, status: { phase: "Active" } });
}

export function addNode(twin: Twin, name: string, options: NodeOptions = {}): KubeObject {
  const capacity = { cpu: options.cpu ?? "32", memory: options.memory ?? "128Gi", pods: "110" };
  const node: KubeObject = {
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "kubevirt.io/schedulable": "true",
        "kubevirt.io/cpumanager": "false",
        ...(options.labels ?? INTEL_LABELS),
      },
      annotations:
        options.bandwidth === undefined ? {} : { "twin.kubedrs.io/migration-bandwidth": String(options.bandwidth) },
    },
    spec: {},
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }],
      addresses: [{ type: "Hostname", address: name }],
    },
  };
  options.apply?.(node);
  twin.runtime.truth.addHost(name);
  return twin.runtime.store.create(twin.runtime.resources.nodes, node);
}

export function setKubeVirtConfiguration(twin: Twin, configuration: Record<string, unknown>): void {
  const { store, resources } = twin.runtime;
  ensureNamespace(twin, "kubevirt");
  const existing = store.get(resources.kubevirts, "kubevirt", "kubevirt");
  if (!existing) {
    store.create(resources.kubevirts, {
      metadata: { name: "kubevirt", namespace: "kubevirt" },
      spec: { configuration },
    });
    return;
  }
  store.mutate(resources.kubevirts, { namespace: "kubevirt", name: "kubevirt" }, (draft) => {
    draft.spec = { ...draft.spec, configuration };
  });
}

export function kubevirtTwin(options: FixtureOptions = {}): Twin {
  const twin = Twin.create({ seed: options.seed ?? 11, start: START });
  // The namespaces a cluster starts with (the kubelets renew their Leases in kube-node-lease).
  for (const namespace of ["default", "kube-system", "kube-node-lease", "kubevirt"]) ensureNamespace(twin, namespace);
  ensureNamespace(twin, NAMESPACE);
  if (options.configuration !== undefined) setKubeVirtConfiguration(twin, options.configuration);
  const nodes = options.nodes ?? { "node-a": {}, "node-b": {}, "node-c": {} };
  for (const [name, node] of Object.entries(nodes)) addNode(twin, name, node);
  return twin;
}

export interface VmOptions {
  readonly namespace?: string;
  readonly runStrategy?: string;
  readonly running?: boolean;
  readonly cpu?: Record<string, unknown>;
  readonly memory?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly evictionStrategy?: string;
  /** A masquerade pod interface (default): KubeVirt's default bridge binding is not live-migratable. */
  readonly masquerade?: boolean;
  readonly apply?: (vm: KubeObject) => void;
}

export function vmManifest(name: string, options: VmOptions = {}): KubeObject {
  const masquerade = options.masquerade ?? true;
  const spec: Record<string, unknown> = {
    domain: {
      cpu: options.cpu ?? { cores: 2 },
      memory: { guest: options.memory ?? "4Gi" },
      devices: masquerade ? { interfaces: [{ name: "default", masquerade: {} }] } : {},
    },
    ...(masquerade && { networks: [{ name: "default", pod: {} }] }),
    ...(options.evictionStrategy !== undefined && { evictionStrategy: options.evictionStrategy }),
  };
  const vm: KubeObject = {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace: options.namespace ?? NAMESPACE },
    spec: {
      ...(options.running === undefined
        ? { runStrategy: options.runStrategy ?? "Always" }
        : { running: options.running }),
      template: {
        metadata: { labels: { app: name, ...options.labels }, annotations: { ...options.annotations } },
        spec,
      },
    },
  };
  options.apply?.(vm);
  return vm;
}

export function createVm(twin: Twin, name: string, options: VmOptions = {}): KubeObject {
  ensureNamespace(twin, options.namespace ?? NAMESPACE);
  return twin.runtime.store.create(twin.runtime.resources.virtualMachines, vmManifest(name, options), { actor: "api" });
}

export function advance(twin: Twin, seconds: number): void {
  twin.advance(seconds * 1000);
}

export function vmOf(twin: Twin, name: string, namespace = NAMESPACE): KubeObject | undefined {
  return twin.runtime.store.get(twin.runtime.resources.virtualMachines, namespace, name);
}

export function vmiOf(twin: Twin, name: string, namespace = NAMESPACE): KubeObject | undefined {
  return twin.runtime.store.get(twin.runtime.resources.virtualMachineInstances, namespace, name);
}

/** The virt-launcher pods of a VMI name (any incarnation), oldest first (launch pods before migration targets). */
export function launcherPods(twin: Twin, vmiName: string, namespace = NAMESPACE): KubeObject[] {
  const created = (pod: KubeObject): string => pod.metadata.creationTimestamp ?? "";
  const isTarget = (pod: KubeObject): number => (pod.metadata.labels?.["kubevirt.io/migrationJobUID"] ? 1 : 0);
  return twin.runtime.store
    .list(twin.runtime.resources.pods, { namespace })
    .filter((pod) => pod.metadata.annotations?.["kubevirt.io/domain"] === vmiName)
    .sort((a, b) => created(a).localeCompare(created(b)) || isTarget(a) - isTarget(b));
}

export function podNamed(twin: Twin, name: string, namespace = NAMESPACE): KubeObject | undefined {
  return twin.runtime.store.get(twin.runtime.resources.pods, namespace, name);
}

/** The target pod of a migration (labelled with the migration's uid). */
export function targetPodOf(twin: Twin, migration: KubeObject, namespace = NAMESPACE): KubeObject | undefined {
  return twin.runtime.store
    .list(twin.runtime.resources.pods, { namespace })
    .find((pod) => pod.metadata.labels?.["kubevirt.io/migrationJobUID"] === migration.metadata.uid);
}

export function migrationsOf(twin: Twin, vmiName: string, namespace = NAMESPACE): KubeObject[] {
  return twin.runtime.store
    .list(twin.runtime.resources.migrations, { namespace })
    .filter((migration) => migration.spec?.vmiName === vmiName);
}

export function eventsFor(twin: Twin, name: string): { reason: string; message: string; type: string }[] {
  return twin.runtime.store
    .list(twin.runtime.resources.events)
    .filter((event) => (event.involvedObject as { name?: string } | undefined)?.name === name)
    .map((event) => ({ reason: String(event.reason), message: String(event.message), type: String(event.type) }));
}

export function phaseOf(object: KubeObject | undefined): string | undefined {
  return object?.status?.phase as string | undefined;
}

export function conditionOf(object: KubeObject | undefined, type: string): Record<string, unknown> | undefined {
  const conditions = (object?.status?.conditions ?? []) as Record<string, unknown>[];
  return conditions.find((condition) => condition.type === type);
}

/** Creates a VMIM as a user would (through the API). */
export function createMigration(
  twin: Twin,
  vmiName: string,
  options: {
    name?: string;
    addedNodeSelector?: Record<string, string>;
    annotations?: Record<string, string>;
    actor?: string;
  } = {},
): KubeObject {
  return twin.runtime.store.create(
    twin.runtime.resources.migrations,
    {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstanceMigration",
      metadata: {
        ...(options.name ? { name: options.name } : { generateName: `${vmiName}-migration-` }),
        namespace: NAMESPACE,
        annotations: options.annotations ?? {},
      },
      spec: { vmiName, ...(options.addedNodeSelector && { addedNodeSelector: options.addedNodeSelector }) },
    },
    { actor: options.actor ?? "api" },
  );
}
