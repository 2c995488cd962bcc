/**
 * LiveMigratable: KubeVirt's own verdict (the LiveMigratable condition) plus what kubedrs can see
 * for itself in the spec: passthrough devices and disks that are not shared (ReadWriteMany).
 */
import type { VmInfo } from "../../../model/cluster.ts";
import type { VmCheck } from "../../framework.ts";

const SHARED_MODES = new Set(["ReadWriteMany"]);

function conditionReason(vm: VmInfo): string | undefined {
  const { status, reason, message } = vm.liveMigratable;
  if (status === "True") return undefined;
  if (status === "Unknown") return "KubeVirt has not reported LiveMigratable for the VMI yet";
  const detail = [reason, message].filter(Boolean).join(": ");
  return `KubeVirt reports LiveMigratable=False${detail ? ` (${detail})` : ""}`;
}

function deviceReason(vm: VmInfo): string | undefined {
  const device = vm.hostDevices[0];
  if (!device) return undefined;
  return device.kind === "gpu"
    ? `GPU passthrough (${device.deviceName}) cannot live-migrate`
    : `host device ${device.deviceName} is passed through and cannot live-migrate`;
}

function volumeReason(vm: VmInfo): string | undefined {
  for (const volume of vm.volumes) {
    if (volume.source === "hostDisk") return `volume ${volume.name} is a hostDisk on the node`;
    if (volume.source !== "persistentVolumeClaim" && volume.source !== "dataVolume") continue;
    const modes = volume.accessModes;
    if (modes && !modes.some((mode) => SHARED_MODES.has(mode))) {
      const claim = volume.claimName ? ` (PVC ${volume.claimName})` : "";
      return `volume ${volume.name}${claim} is ${modes.join(",")} ${volume.volumeMode ?? "Filesystem"}; live migration needs ReadWriteMany`;
    }
  }
  return undefined;
}

/** Every reason the VM cannot live-migrate, KubeVirt's first. */
export function migrationBlockers(vm: VmInfo): string[] {
  return [conditionReason(vm), deviceReason(vm), volumeReason(vm)].filter(
    (reason): reason is string => reason !== undefined,
  );
}

export const liveMigratable: VmCheck = {
  name: "LiveMigratable",
  check(ctx, vm) {
    if (ctx.purpose === "restart") return undefined;
    return migrationBlockers(vm)[0];
  },
};
