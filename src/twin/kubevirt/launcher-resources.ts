/**
 * The compute container's requests and limits, as KubeVirt renders them
 * (pkg/virt-controller/services/renderresources.go, template.go VMIResourcePredicates and
 * pkg/hypervisor/kvm/hypervisorbackend.go GetMemoryOverhead).
 *
 * Left out: the device-plugin resources (devices.kubevirt.io/kvm, tun, vhost-net) and the 50M
 * ephemeral-storage overhead, which the twin's nodes do not advertise.
 */
import type { KubeVirtConfig } from "./config.ts";
import { at, flagAt, listAt, quantityAt, recordAt } from "./fields.ts";
import { type Vmi, gpusOf, hostDevicesOf, hugepagesSizeOf, isDedicated, topologyVcpus } from "./vmi-spec.ts";

const Mi = 2 ** 20;
const Gi = 2 ** 30;

/** The `ps` RSS of virt-launcher-monitor 25Mi, virt-launcher 100Mi, virtlogd 25Mi, virtqemud 40Mi, qemu 50Mi. */
const FIXED_PROCESS_OVERHEAD = 240 * Mi;
const PER_VCPU_OVERHEAD = 8 * Mi;
const IO_THREAD_OVERHEAD = 8 * Mi;
const VIDEO_OVERHEAD = 32 * Mi;
const ARM64_PFLASH_OVERHEAD = 128 * Mi;
const VFIO_OVERHEAD = Gi;
const PROBE_OVERHEAD = 10 * Mi;
const PROBE_BINARY_OVERHEAD = 100 * Mi;
const TPM_OVERHEAD = 53 * Mi;
const GUARANTEED_QOS_OVERHEAD = 100 * Mi;

export type ResourceAmounts = Record<string, number>;

export interface LauncherResources {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
  readonly memoryOverhead: number;
}

function amountsAt(vmi: Vmi, kind: "requests" | "limits"): ResourceAmounts {
  const list = recordAt(vmi, "spec", "domain", "resources", kind) ?? {};
  const amounts: ResourceAmounts = {};
  for (const name of Object.keys(list)) {
    const value = quantityAt(list, name);
    if (value !== undefined) amounts[name] = value;
  }
  return amounts;
}

/** The vCPUs GetMemoryOverhead counts: the topology, else the CPU limit or request, at least 1. */
function overheadVcpus(vmi: Vmi): number {
  if (recordAt(vmi, "spec", "domain", "cpu") !== undefined) return Math.max(1, topologyVcpus(vmi));
  const cpu = amountsAt(vmi, "limits").cpu ?? amountsAt(vmi, "requests").cpu ?? 1;
  return Math.max(1, Math.ceil(cpu));
}

/** WantsToHaveQOSGuaranteed: memory and CPU requests equal their limits. */
function wantsGuaranteedQos(vmi: Vmi): boolean {
  const requests = amountsAt(vmi, "requests");
  const limits = amountsAt(vmi, "limits");
  const memory =
    ((requests.memory ?? 0) === 0 && (limits.memory ?? 0) !== 0) ||
    ((requests.memory ?? 0) !== 0 && requests.memory === limits.memory);
  const cpu = (requests.cpu ?? 0) !== 0 && requests.cpu === limits.cpu;
  return memory && cpu;
}

function hasVfio(vmi: Vmi): boolean {
  const sriov = listAt(vmi, "spec", "domain", "devices", "interfaces").some(
    (iface) => at(iface, "sriov") !== undefined,
  );
  return gpusOf(vmi).length > 0 || hostDevicesOf(vmi).length > 0 || sriov;
}

function probeOverhead(vmi: Vmi): number {
  const liveness = at(vmi, "spec", "livenessProbe", "exec") !== undefined;
  const readiness = at(vmi, "spec", "readinessProbe", "exec") !== undefined;
  const probes = (liveness ? 1 : 0) + (readiness ? 1 : 0);
  return probes === 0 ? 0 : probes * PROBE_OVERHEAD + PROBE_BINARY_OVERHEAD;
}

function deviceOverhead(vmi: Vmi): number {
  let overhead = 0;
  if (flagAt(vmi, "spec", "domain", "devices", "autoattachGraphicsDevice") !== false) overhead += VIDEO_OVERHEAD;
  if (hasVfio(vmi)) overhead += VFIO_OVERHEAD;
  const tpm = recordAt(vmi, "spec", "domain", "devices", "tpm");
  if (tpm !== undefined && tpm.enabled !== false) overhead += TPM_OVERHEAD;
  return overhead;
}

/**
 * GetMemoryOverhead. The page-table term counts the VMI's memory *request* (0 when only the guest
 * size is set), as KubeVirt does: ceil(request / 1000) × 1000 / 512.
 */
export function memoryOverheadOf(vmi: Vmi): number {
  const request = amountsAt(vmi, "requests").memory ?? 0;
  let overhead = Math.floor((Math.ceil(request / 1000) * 1000) / 512);
  overhead += FIXED_PROCESS_OVERHEAD + PER_VCPU_OVERHEAD * overheadVcpus(vmi) + IO_THREAD_OVERHEAD;
  overhead += deviceOverhead(vmi) + probeOverhead(vmi);
  if (at(vmi, "spec", "architecture") === "arm64") overhead += ARM64_PFLASH_OVERHEAD;
  if (isDedicated(vmi) || wantsGuaranteedQos(vmi)) overhead += GUARANTEED_QOS_OVERHEAD;
  overhead += quantityAt(vmi, "spec", "domain", "memory", "reservedOverhead", "addedOverhead") ?? 0;
  return overhead;
}

/** WithMemoryRequests: without a memory request, the limit, else the guest size scaled by the overcommit. */
function memoryRequestOf(vmi: Vmi, requests: ResourceAmounts, limits: ResourceAmounts, overcommit: number): number {
  if (requests.memory !== undefined && requests.memory !== 0) return requests.memory;
  if (limits.memory !== undefined && limits.memory !== 0) return limits.memory;
  const guest =
    quantityAt(vmi, "spec", "domain", "memory", "guest") ??
    quantityAt(vmi, "spec", "domain", "memory", "hugepages", "pageSize") ??
    0;
  return overcommit === 100 ? guest : Math.floor((guest * 100) / overcommit);
}

/** WithCPUPinning / WithoutDedicatedCPU. */
function applyCpu(vmi: Vmi, amounts: { requests: ResourceAmounts; limits: ResourceAmounts }, ratio: number): void {
  const vcpus = topologyVcpus(vmi);
  if (isDedicated(vmi)) {
    const emulatorThread = flagAt(vmi, "spec", "domain", "cpu", "isolateEmulatorThread") === true ? 1 : 0;
    if (vcpus !== 0) amounts.limits.cpu = amounts.requests.cpu = vcpus + emulatorThread;
    if (amounts.requests.memory !== undefined) amounts.limits.memory = amounts.requests.memory;
    return;
  }
  // A CPU request on the VMI wins over the calculated one (ResourceRenderer.Requests copies vmRequests last).
  amounts.requests.cpu ??= Math.max(1, vcpus) / ratio;
}

/** The guest's part of a memory amount beyond the guest size (what WithHugePages adds to the overhead). */
function beyondGuest(amount: number, guest: number | undefined): number {
  return guest !== undefined && amount > guest ? amount - guest : 0;
}

/** WithHugePages: the guest lives in huge pages; regular memory covers the overhead. */
function applyHugepages(
  vmi: Vmi,
  amounts: { requests: ResourceAmounts; limits: ResourceAmounts },
  overhead: number,
  pageSize: string,
): void {
  const { requests, limits } = amounts;
  const guest = quantityAt(vmi, "spec", "domain", "memory", "guest");
  const requested = requests.memory ?? 0;
  const huge = requested - beyondGuest(requested, guest);
  requests[`hugepages-${pageSize}`] = huge;
  limits[`hugepages-${pageSize}`] = huge;
  requests.memory = overhead + beyondGuest(requested, guest);
  if (limits.memory !== undefined) limits.memory = overhead + beyondGuest(limits.memory, guest);
}

/** WithHugePages / WithMemoryOverhead. */
function applyMemory(
  vmi: Vmi,
  amounts: { requests: ResourceAmounts; limits: ResourceAmounts },
  overhead: number,
): void {
  const pageSize = hugepagesSizeOf(vmi);
  if (pageSize !== undefined) {
    applyHugepages(vmi, amounts, overhead, pageSize);
    return;
  }
  const { requests, limits } = amounts;
  if (flagAt(vmi, "spec", "domain", "resources", "overcommitGuestOverhead") !== true) {
    requests.memory = (requests.memory ?? 0) + overhead;
  }
  if (limits.memory !== undefined) limits.memory += overhead;
}

/** One of each GPU and host device, by device-plugin resource name (WithGPUsDevicePlugins, WithHostDevices...). */
function applyDevices(vmi: Vmi, amounts: { requests: ResourceAmounts; limits: ResourceAmounts }): void {
  for (const device of [...gpusOf(vmi), ...hostDevicesOf(vmi)]) {
    if (device.deviceName === "") continue;
    amounts.requests[device.deviceName] = (amounts.requests[device.deviceName] ?? 0) + 1;
    amounts.limits[device.deviceName] = (amounts.limits[device.deviceName] ?? 0) + 1;
  }
}

export function launcherResourcesOf(vmi: Vmi, config: KubeVirtConfig): LauncherResources {
  const requests = amountsAt(vmi, "requests");
  const limits = amountsAt(vmi, "limits");
  const amounts = { requests, limits };
  const memoryOverhead = memoryOverheadOf(vmi);
  const memory = memoryRequestOf(vmi, requests, limits, config.memoryOvercommit);
  if (memory > 0) requests.memory = memory;
  applyCpu(vmi, amounts, config.cpuAllocationRatio);
  applyMemory(vmi, amounts, memoryOverhead);
  applyDevices(vmi, amounts);
  return { requests, limits, memoryOverhead };
}

/** A quantity string: millicores for CPU, whole units otherwise. */
export function formatAmount(name: string, amount: number): string {
  if (name !== "cpu") return String(Math.ceil(amount));
  const millicores = Math.round(amount * 1000);
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

export function formatAmounts(amounts: ResourceAmounts): Record<string, string> {
  const formatted: Record<string, string> = {};
  for (const name of Object.keys(amounts).sort()) formatted[name] = formatAmount(name, amounts[name] ?? 0);
  return formatted;
}
