/**
 * The label, annotation, finalizer and reason strings KubeVirt uses, spelled once
 * (kubevirt/kubevirt staging/src/kubevirt.io/api/core/v1/types.go unless noted). The node labels
 * are the planning core's, spelled once for both.
 */
import { LABEL as NODE_LABEL } from "../../core/model/kubevirt-labels.ts";

export const LABEL = {
  ...NODE_LABEL,
  app: "kubevirt.io",
  createdBy: "kubevirt.io/created-by",
  vmName: "vm.kubevirt.io/name",
  vmiId: "vmi.kubevirt.io/id",
  nodeName: "kubevirt.io/nodeName",
  migrationTargetNodeName: "kubevirt.io/migrationTargetNodeName",
  migrationJobUid: "kubevirt.io/migrationJobUID",
  migrationSelector: "kubevirt.io/vmi-name",
  installStrategy: "kubevirt.io/install-strategy",
  deprecatedCpuManager: "cpumanager",
  arch: "kubernetes.io/arch",
} as const;

export const ANNOTATION = {
  domain: "kubevirt.io/domain",
  heartbeat: "kubevirt.io/heartbeat",
  migrationJobName: "kubevirt.io/migrationJobName",
  evacuationMigration: "kubevirt.io/evacuationMigration",
  workloadUpdateMigration: "kubevirt.io/workloadUpdateMigration",
  unschedulablePodTimeout: "kubevirt.io/migrationUnschedulablePodTimeoutSeconds",
  pendingPodTimeout: "kubevirt.io/migrationPendingPodTimeoutSeconds",
  migrationTransportUnix: "kubevirt.io/migrationTransportUnix",
  vmGeneration: "kubevirt.io/vm-generation",
  evictionSource: "kubevirt.io/eviction-source",
  allowPodBridgeMigration: "kubevirt.io/allow-pod-bridge-network-live-migration",
  defaultContainer: "kubectl.kubernetes.io/default-container",
  /** KubeVirt pkg/virt-controller/watch/descheduler/descheduler.go. */
  evictOnly: "descheduler.alpha.kubernetes.io/request-evict-only",
  evictionInProgress: "descheduler.alpha.kubernetes.io/eviction-in-progress",
  /** The twin's: scenarios place a VM's first pod on this node. */
  initialNode: "twin.kubedrs.io/initial-node",
  /** The twin's: a node's migration link speed in bytes per second. */
  migrationBandwidth: "twin.kubedrs.io/migration-bandwidth",
  /** The twin's: JSON {volumeName: [accessModes]} standing in for the PVCs the twin does not have. */
  volumeAccessModes: "twin.kubedrs.io/volume-access-modes",
} as const;

export const FINALIZER = {
  /** The VMI controller's: removed once the VMI is final and its pods are gone. */
  vmiForeground: "kubevirt.io/foregroundDeleteVirtualMachine",
  /** The VM controller's, on the VM and on the VMIs it creates. */
  vmController: "kubevirt.io/virtualMachineControllerFinalize",
  migration: "kubevirt.io/migrationJobFinalize",
} as const;

/** The pod condition virt-launcher pods use as a readiness gate. */
export const UNPAUSED_CONDITION = "kubevirt.io/virtual-machine-unpaused";

/** Who writes: KubeVirt's service accounts, as the store's admission sees them. */
export const ACTOR = {
  controller: "virt-controller",
  handler: "virt-handler",
  api: "virt-api",
} as const;

export const KUBEVIRT_ACTORS: ReadonlySet<string> = new Set(Object.values(ACTOR));

/** The event recorders' component names (virt-controller creates one per controller). */
export const COMPONENT = {
  vm: "virtualmachine-controller",
  vmi: "virtualmachineinstance-controller",
  migration: "migration-controller",
  node: "node-controller",
  evacuation: "evacuation-controller",
  handler: "virt-handler",
} as const;

export const LAUNCHER_IMAGE = "quay.io/kubevirt/virt-launcher:v1.9.0";

/** The API group/version of the objects KubeVirt owns. */
export const KUBEVIRT_API_VERSION = "kubevirt.io/v1";
