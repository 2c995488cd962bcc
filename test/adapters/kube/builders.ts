// Fixture builders for the Kubernetes converters: small objects written as YAML here (not copied from
// anywhere), each with an override hook in the style of descheduler's BuildTestNode(..., apply).
import { expect } from "vitest";
import { parse } from "yaml";
import type { Converted } from "../../../src/adapters/kube/convert/index.ts";
import { encodeSnapshot } from "../../../src/core/model/snapshot-encode.ts";
import { type ClusterSnapshot, clusterSnapshotSchema } from "../../../src/core/model/snapshot.ts";

/** Free-form Kubernetes JSON: fixtures poke at arbitrary paths, as raw API objects allow. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are untyped Kubernetes JSON by design
export type KubeJson = Record<string, any>;

export type Apply = (object: KubeJson) => void;

export const TAKEN_AT = "2026-09-01T12:00:00Z";
export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

function build(yaml: string, apply: Apply | undefined): KubeJson {
  const object = parse(yaml) as KubeJson;
  apply?.(object);
  return object;
}

export function buildNode(name: string, apply?: Apply): KubeJson {
  return build(
    `
apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels:
    kubernetes.io/hostname: ${name}
    kubevirt.io/schedulable: "true"
spec: {}
status:
  capacity: { cpu: "16", memory: 64Gi, pods: "110" }
  allocatable: { cpu: 15500m, memory: 62Gi, pods: "110" }
  conditions:
    - type: Ready
      status: "True"
      reason: KubeletReady
      lastTransitionTime: "2026-08-01T00:00:00Z"
      lastHeartbeatTime: "2026-09-01T11:59:30Z"
`,
    apply,
  );
}

/** A Running VMI on node-a, owned by a VM of the same name, in namespace "shop". */
export function buildVmi(name: string, apply?: Apply): KubeJson {
  return build(
    `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: ${name}
  namespace: shop
  uid: uid-${name}
  labels: { app: web }
  ownerReferences:
    - { apiVersion: kubevirt.io/v1, kind: VirtualMachine, name: ${name}, uid: vm-uid-${name}, controller: true }
spec:
  domain:
    cpu: { sockets: 1, cores: 2, threads: 1, model: host-model }
    memory: { guest: 4Gi }
    resources:
      requests: { cpu: 500m, memory: 4Gi }
    devices:
      interfaces:
        - { name: default, masquerade: {} }
  networks:
    - { name: default, pod: {} }
  volumes:
    - name: rootdisk
      dataVolume: { name: ${name}-root }
status:
  nodeName: node-a
  phase: Running
  machine: { type: pc-q35-rhel9.4.0 }
  conditions:
    - { type: Ready, status: "True" }
    - { type: LiveMigratable, status: "True" }
  volumeStatus:
    - name: rootdisk
      target: vda
      persistentVolumeClaimInfo:
        claimName: ${name}-root
        accessModes: [ReadWriteMany]
        volumeMode: Block
`,
    apply,
  );
}

/** The virt-launcher pod of `vmi` on `nodeName`, requesting a little more than the VMI (KubeVirt's overhead). */
export function buildLauncherPod(vmi: KubeJson, nodeName: string, apply?: Apply): KubeJson {
  const vmiName = String(vmi.metadata.name);
  return build(
    `
apiVersion: v1
kind: Pod
metadata:
  name: virt-launcher-${vmiName}-${nodeName}
  namespace: ${String(vmi.metadata.namespace)}
  labels:
    kubevirt.io: virt-launcher
    kubevirt.io/created-by: ${String(vmi.metadata.uid)}
    vm.kubevirt.io/name: ${vmiName}
spec:
  nodeName: ${nodeName}
  nodeSelector:
    kubevirt.io/schedulable: "true"
  containers:
    - name: compute
      resources:
        requests: { cpu: 500m, memory: 4400Mi, devices.kubevirt.io/kvm: "1" }
        limits: { devices.kubevirt.io/kvm: "1" }
status:
  phase: Running
`,
    apply,
  );
}

export function buildVm(name: string, apply?: Apply): KubeJson {
  return build(
    `
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: { name: ${name}, namespace: shop }
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        memory: { guest: 4Gi }
`,
    apply,
  );
}

export function buildVmim(name: string, vmiName: string, apply?: Apply): KubeJson {
  return build(
    `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstanceMigration
metadata:
  name: ${name}
  namespace: shop
  creationTimestamp: "2026-09-01T11:50:00Z"
spec:
  vmiName: ${vmiName}
status:
  phase: Running
  migrationState:
    sourceNode: node-a
    targetNode: node-b
    startTimestamp: "2026-09-01T11:50:05Z"
`,
    apply,
  );
}

export function buildLease(nodeName: string, apply?: Apply): KubeJson {
  return build(
    `
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: { name: ${nodeName}, namespace: kube-node-lease }
spec:
  holderIdentity: ${nodeName}
  leaseDurationSeconds: 40
  renewTime: "2026-09-01T11:59:58.123456Z"
`,
    apply,
  );
}

export function buildNodeMaintenance(name: string, nodeName: string, apply?: Apply): KubeJson {
  return build(
    `
apiVersion: nodemaintenance.medik8s.io/v1beta1
kind: NodeMaintenance
metadata:
  name: ${name}
  creationTimestamp: "2026-09-01T10:00:00Z"
spec:
  nodeName: ${nodeName}
  reason: firmware update
status:
  phase: Running
`,
    apply,
  );
}

export function buildPvc(name: string, apply?: Apply): KubeJson {
  return build(
    `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: ${name}, namespace: shop }
spec:
  accessModes: [ReadWriteOnce]
  volumeMode: Filesystem
  resources:
    requests: { storage: 20Gi }
status:
  phase: Bound
  accessModes: [ReadWriteMany]
`,
    apply,
  );
}

/** Two NUMA cells of 14 allocatable CPUs each, with 1Gi and 2Mi hugepages, single-numa-node policy. */
export function buildTopology(nodeName: string, apply?: Apply): KubeJson {
  return build(
    `
apiVersion: topology.node.k8s.io/v1alpha2
kind: NodeResourceTopology
metadata: { name: ${nodeName} }
topologyPolicies: [SingleNUMANodeContainerLevel]
attributes:
  - { name: topologyManagerPolicy, value: single-numa-node }
  - { name: topologyManagerScope, value: container }
zones:
  - name: node-1
    type: Node
    resources:
      - { name: cpu, capacity: "16", allocatable: "14", available: "10" }
      - { name: memory, capacity: 32Gi, allocatable: 31Gi, available: 20Gi }
      - { name: hugepages-1Gi, capacity: 8Gi, allocatable: 8Gi, available: 4Gi }
  - name: node-0
    type: Node
    resources:
      - { name: cpu, capacity: "16", allocatable: "14", available: "14" }
      - { name: memory, capacity: 32Gi, allocatable: 31Gi, available: 31Gi }
      - { name: hugepages-1Gi, capacity: 8Gi, allocatable: 8Gi, available: 8Gi }
      - { name: hugepages-2Mi, capacity: 1Gi, allocatable: 1Gi, available: 1Gi }
  - name: core-0
    type: Core
    parent: node-0
`,
    apply,
  );
}

export function buildMigrationPolicy(name: string, apply?: Apply): KubeJson {
  return build(
    `
apiVersion: migrations.kubevirt.io/v1alpha1
kind: MigrationPolicy
metadata:
  name: ${name}
  labels: { team: storage }
spec:
  selectors:
    virtualMachineInstanceSelector: { workload: db }
  bandwidthPerMigration: 512Mi
  allowAutoConverge: true
`,
    apply,
  );
}

export function buildNamespace(name: string, apply?: Apply): KubeJson {
  return build(`{ apiVersion: v1, kind: Namespace, metadata: { name: ${name}, labels: { tier: prod } } }`, apply);
}

/** The value of a conversion that must succeed without a single warning. */
export function expectClean<T>(converted: Converted<T>): T {
  expect(converted.warnings).toEqual([]);
  expect(converted.value).toBeDefined();
  return converted.value as T;
}

/** A conversion that must leave its object out: returns the warnings for closer checks. */
export function expectLeftOut<T>(converted: Converted<T>): readonly string[] {
  expect(converted.value).toBeUndefined();
  expect(converted.warnings.length).toBeGreaterThan(0);
  return converted.warnings;
}

/** The snapshot as a file would carry it and the core would read it back. */
export function roundTrip(snapshot: ClusterSnapshot): ClusterSnapshot {
  return clusterSnapshotSchema.parse(encodeSnapshot(snapshot));
}
