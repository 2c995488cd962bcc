/** What a VMI's spec says, read the way KubeVirt reads it. */
import type { KubeObject } from "../api/types.ts";
import { at, flagAt, listAt, numberAt, quantityAt, recordAt, textAt } from "./fields.ts";
import type { EvictionStrategy } from "./config.ts";

export type Vmi = KubeObject;

/** KubeVirt's v1.DefaultGracePeriodSeconds. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 30;

/** The VM key the twin's truth and workload use: namespace/vmi name. */
export function vmKeyOf(vmi: Vmi): string {
  return `${vmi.metadata.namespace ?? ""}/${vmi.metadata.name ?? ""}`;
}

export function vmiPhase(vmi: Vmi | undefined): string {
  return textAt(vmi, "status", "phase") ?? "";
}

export function isFinal(vmi: Vmi | undefined): boolean {
  const phase = vmiPhase(vmi);
  return phase === "Succeeded" || phase === "Failed";
}

/** IsUnprocessed: not yet handed to a pod. */
export function isUnprocessed(vmi: Vmi): boolean {
  const phase = vmiPhase(vmi);
  return phase === "" || phase === "Pending";
}

export function vmiNode(vmi: Vmi | undefined): string {
  return textAt(vmi, "status", "nodeName") ?? "";
}

/** hardware.GetNumberOfVCPUs: sockets × cores × threads, zeros skipped. */
export function topologyVcpus(vmi: Vmi): number {
  let vcpus = 0;
  for (const key of ["cores", "sockets", "threads"]) {
    const count = numberAt(vmi, "spec", "domain", "cpu", key) ?? 0;
    if (count !== 0) vcpus = vcpus === 0 ? count : vcpus * count;
  }
  return vcpus;
}

/** The vCPU count the launcher's overhead and CPU request use (1 when nothing says otherwise). */
export function vcpusOf(vmi: Vmi): number {
  return Math.max(1, topologyVcpus(vmi));
}

/** What a migration copies: the guest size, else what the guest was given. */
export function guestMemoryOf(vmi: Vmi): number {
  return (
    quantityAt(vmi, "spec", "domain", "memory", "guest") ??
    quantityAt(vmi, "spec", "domain", "resources", "requests", "memory") ??
    quantityAt(vmi, "spec", "domain", "resources", "limits", "memory") ??
    quantityAt(vmi, "status", "memory", "guestCurrent") ??
    0
  );
}

export function cpuModelOf(vmi: Vmi): string {
  return textAt(vmi, "spec", "domain", "cpu", "model") ?? "";
}

export function isHostModel(vmi: Vmi): boolean {
  return cpuModelOf(vmi) === "host-model";
}

export function isDedicated(vmi: Vmi): boolean {
  return flagAt(vmi, "spec", "domain", "cpu", "dedicatedCpuPlacement") === true;
}

export function hugepagesSizeOf(vmi: Vmi): string | undefined {
  return textAt(vmi, "spec", "domain", "memory", "hugepages", "pageSize");
}

export interface HostDevice {
  readonly name: string;
  readonly deviceName: string;
}

function devicesAt(vmi: Vmi, kind: "gpus" | "hostDevices"): HostDevice[] {
  return listAt(vmi, "spec", "domain", "devices", kind).map((device) => ({
    name: textAt(device, "name") ?? "",
    deviceName: textAt(device, "deviceName") ?? "",
  }));
}

export function gpusOf(vmi: Vmi): HostDevice[] {
  return devicesAt(vmi, "gpus");
}

export function hostDevicesOf(vmi: Vmi): HostDevice[] {
  return devicesAt(vmi, "hostDevices");
}

export interface ClaimVolume {
  readonly name: string;
  readonly claimName: string;
}

/** Volumes backed by a PVC or a DataVolume (whose PVC has the DataVolume's name). */
export function claimVolumesOf(vmi: Vmi): ClaimVolume[] {
  const volumes: ClaimVolume[] = [];
  for (const volume of listAt(vmi, "spec", "volumes")) {
    const name = textAt(volume, "name") ?? "";
    const claimName =
      textAt(volume, "persistentVolumeClaim", "claimName") ?? textAt(volume, "dataVolume", "name") ?? undefined;
    if (claimName !== undefined) volumes.push({ name, claimName });
  }
  return volumes;
}

/** The pod network's name and the binding of the interface attached to it. */
export interface PodNetworkInterface {
  readonly network: string;
  readonly binding: string | undefined;
  /** The binding plugin's name, for `binding: {name}` interfaces. */
  readonly plugin: string | undefined;
}

const CORE_BINDINGS = ["masquerade", "bridge", "passtBinding", "sriov", "slirp"] as const;

export function podNetworkInterfaceOf(vmi: Vmi): PodNetworkInterface | undefined {
  const network = listAt(vmi, "spec", "networks").find((item) => recordAt(item, "pod") !== undefined);
  const networkName = textAt(network, "name");
  if (networkName === undefined) return undefined;
  const iface = listAt(vmi, "spec", "domain", "devices", "interfaces").find(
    (item) => textAt(item, "name") === networkName,
  );
  if (iface === undefined) return { network: networkName, binding: undefined, plugin: undefined };
  const plugin = textAt(iface, "binding", "name");
  const binding = CORE_BINDINGS.find((key) => at(iface, key) !== undefined) ?? (plugin ? "binding" : undefined);
  return { network: networkName, binding, plugin };
}

export function gracePeriodSecondsOf(vmi: Vmi): number {
  return numberAt(vmi, "spec", "terminationGracePeriodSeconds") ?? DEFAULT_GRACE_PERIOD_SECONDS;
}

export function evictionStrategyOf(vmi: Vmi): EvictionStrategy | undefined {
  const value = textAt(vmi, "spec", "evictionStrategy");
  const strategies: readonly EvictionStrategy[] = ["None", "LiveMigrate", "LiveMigrateIfPossible", "External"];
  return strategies.find((strategy) => strategy === value);
}

export function evacuationNodeOf(vmi: Vmi): string {
  return textAt(vmi, "status", "evacuationNodeName") ?? "";
}

export function migrationUidOf(vmi: Vmi | undefined): string {
  return textAt(vmi, "status", "migrationState", "migrationUid") ?? "";
}

/** migrations.IsMigrating: a migration started and has not ended, as of `now`. */
export function isMigrating(vmi: Vmi | undefined, now: number): boolean {
  const start = textAt(vmi, "status", "migrationState", "startTimestamp");
  const end = textAt(vmi, "status", "migrationState", "endTimestamp");
  if (start === undefined || Date.parse(start) > now) return false;
  return end === undefined || Date.parse(end) > now;
}
