/**
 * The LiveMigratable condition virt-handler computes (kubevirt/kubevirt pkg/virt-handler/vm.go
 * calculateLiveMigrationCondition): the first failing check wins, in KubeVirt's order —
 * interfaces, host-model, host devices, Hyper-V passthrough, disks. SEV/TDX/Secure Execution and
 * TSC checks are not modelled (the twin's VMs do not use them).
 */
import type { Condition } from "./conditions.ts";
import type { KubeVirtConfig } from "./config.ts";
import { flagAt, listAt, recordAt, textAt } from "./fields.ts";
import { ANNOTATION, LABEL } from "./names.ts";
import { type Vmi, gpusOf, hostDevicesOf, isHostModel, podNetworkInterfaceOf, vmiNode } from "./vmi-spec.ts";

const MIGRATABLE: Condition = { type: "LiveMigratable", status: "True" };

function notMigratable(reason: string, message: string): Condition {
  return { type: "LiveMigratable", status: "False", reason, message };
}

/** netvmispec.VerifyVMIMigratable: the pod network needs masquerade, passt or a binding plugin that migrates. */
function interfaceProblem(vmi: Vmi, config: KubeVirtConfig): string | undefined {
  const iface = podNetworkInterfaceOf(vmi);
  if (iface === undefined) return undefined;
  if (iface.binding === undefined) return `no primary interface found for network ${iface.network}`;
  if (iface.binding === "masquerade" || iface.binding === "passtBinding") return undefined;
  if (iface.binding === "bridge" && vmi.metadata.annotations?.[ANNOTATION.allowPodBridgeMigration] !== undefined)
    return undefined;
  if (iface.plugin !== undefined && config.migratableBindings.has(iface.plugin)) return undefined;
  return "cannot migrate VMI which does not use masquerade or a migratable plugin to connect to the pod network";
}

/** isHostModelMigratable: a host-model VM can migrate only from a node the labeller gave a host model. */
function hostModelProblem(vmi: Vmi, nodeLabels: Readonly<Record<string, string>>): string | undefined {
  if (!isHostModel(vmi)) return undefined;
  if (Object.keys(nodeLabels).some((key) => key.startsWith(LABEL.hostModelCpu))) return undefined;
  return `the node "${vmiNode(vmi)}" does not allow migration with host-model`;
}

/** vmiContainsNonMigratablePCIHostDevices, with the VGPULiveMigration feature gate off (its default). */
function hostDeviceProblem(vmi: Vmi): string | undefined {
  if (hostDevicesOf(vmi).length > 0) return "VMI specifies non-migratable generic PCI host device";
  const gpus = gpusOf(vmi).length;
  if (gpus > 1) return "VMI specifies too many GPUs";
  if (gpus === 1) return "VMI specifies a GPU but feature gate VGPULiveMigration is not enabled";
  return undefined;
}

function accessModesOf(vmi: Vmi, volumeName: string): string[] | undefined {
  const status = listAt(vmi, "status", "volumeStatus").find((item) => textAt(item, "name") === volumeName);
  const info = recordAt(status, "persistentVolumeClaimInfo");
  return info === undefined ? undefined : listAt(info, "accessModes").filter((mode) => typeof mode === "string");
}

/** checkVolumesForMigration: every PVC must be shared (ReadWriteMany); a host disk must be marked shared. */
function diskProblem(vmi: Vmi): string | undefined {
  for (const volume of listAt(vmi, "spec", "volumes")) {
    const name = textAt(volume, "name") ?? "";
    const claim = textAt(volume, "persistentVolumeClaim", "claimName") ?? textAt(volume, "dataVolume", "name");
    if (claim !== undefined) {
      const modes = accessModesOf(vmi, name);
      if (modes === undefined)
        return `cannot migrate VMI: Unable to determine if PVC ${claim} is shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`;
      if (!modes.includes("ReadWriteMany"))
        return `cannot migrate VMI: PVC ${claim} is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`;
    } else if (recordAt(volume, "hostDisk") !== undefined && flagAt(volume, "hostDisk", "shared") !== true) {
      return "cannot migrate VMI with non-shared HostDisk";
    }
  }
  return undefined;
}

function hypervPassthroughProblem(vmi: Vmi): string | undefined {
  return flagAt(vmi, "spec", "domain", "features", "hypervPassthrough", "enabled") === true
    ? "VMI uses hyperv passthrough"
    : undefined;
}

export function liveMigratableCondition(
  vmi: Vmi,
  nodeLabels: Readonly<Record<string, string>>,
  config: KubeVirtConfig,
): Condition {
  const checks: readonly [string, () => string | undefined][] = [
    ["InterfaceNotLiveMigratable", () => interfaceProblem(vmi, config)],
    ["CPUModeLiveMigratable", () => hostModelProblem(vmi, nodeLabels)],
    ["HostDeviceNotLiveMigratable", () => hostDeviceProblem(vmi)],
    ["HypervPassthroughNotLiveMigratable", () => hypervPassthroughProblem(vmi)],
    ["DisksNotLiveMigratable", () => diskProblem(vmi)],
  ];
  for (const [reason, check] of checks) {
    const message = check();
    if (message !== undefined) return notMigratable(reason, message);
  }
  return MIGRATABLE;
}

/**
 * checkVolumesForMigration's other answer: a volume that is neither a PVC, a shared host disk nor a
 * read-only CD-ROM is copied with the memory (block migration).
 */
export function migrationMethodOf(vmi: Vmi): "BlockMigration" | "LiveMigration" {
  const readOnlyDisks = new Set(
    listAt(vmi, "spec", "domain", "devices", "disks")
      .filter((disk) => recordAt(disk, "cdrom") !== undefined && flagAt(disk, "cdrom", "readonly") !== false)
      .map((disk) => textAt(disk, "name")),
  );
  const local = listAt(vmi, "spec", "volumes").some((volume) => {
    const name = textAt(volume, "name");
    if (recordAt(volume, "persistentVolumeClaim") ?? recordAt(volume, "dataVolume")) return false;
    if (recordAt(volume, "hostDisk") !== undefined) return false;
    return !readOnlyDisks.has(name);
  });
  return local ? "BlockMigration" : "LiveMigration";
}
