/** Devices that tie a VM to its host's hardware: passed-through GPUs and PCI devices, SR-IOV interfaces. */
import type { SnapshotVm } from "../../../core/model/snapshot.ts";
import type { Field } from "./field.ts";

type HostDevice = SnapshotVm["hostDevices"][number];
type SriovNetwork = SnapshotVm["sriovNetworks"][number];

function deviceReader(kind: HostDevice["kind"]): (device: Field) => HostDevice | undefined {
  return (device) => {
    const name = device.key("name").required().string();
    // Devices allocated through DRA (claimName/requestName) have no device-plugin resource name.
    const deviceName = device.key("deviceName").string() ?? "";
    return name === undefined ? undefined : { name, deviceName, kind };
  };
}

export function hostDevicesOf(devices: Field): HostDevice[] {
  return [
    ...(devices.key("gpus").listOf(deviceReader("gpu")) ?? []),
    ...(devices.key("hostDevices").listOf(deviceReader("hostDevice")) ?? []),
  ];
}

/**
 * Interfaces with the sriov binding, named after their network. The device-plugin resource is
 * announced on the NetworkAttachmentDefinition, which the snapshot does not read; the launcher pod's
 * requests count the VF all the same.
 */
export function sriovNetworksOf(devices: Field): SriovNetwork[] {
  const names = devices.key("interfaces").listOf((iface) => {
    return iface.has("sriov") ? iface.key("name").required().string() : undefined;
  });
  return (names ?? []).map((name) => ({ name }));
}
