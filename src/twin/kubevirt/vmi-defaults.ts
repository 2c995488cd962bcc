/**
 * The VMI mutating webhook on create (kubevirt/kubevirt pkg/virt-api/webhooks/mutating-webhook/
 * mutators/vmi-mutator.go and pkg/defaults/defaults.go SetDefaultVirtualMachineInstanceSpec):
 * architecture, CPU requests, guest memory, CPU topology, eviction strategy, the default pod
 * interface, the CPU model, the foreground finalizer and phase Pending.
 *
 * Not applied: the default machine type. KubeVirt would add spec.domain.machine.type "q35" and with it
 * a machine-type.node.kubevirt.io/q35 node selector; scenario nodes carry that label, but nodes a
 * test or a user creates by hand seldom do, and every pod on them would be unschedulable.
 */
import { parseQuantity } from "../../core/model/quantity.ts";
import type { KubeObject } from "../api/types.ts";
import type { KubeVirtConfig } from "./config.ts";
import { type Json, flagAt, listAt, quantityAt, recordAt, recordIn, specOf, statusOf, textAt } from "./fields.ts";
import { FINALIZER } from "./names.ts";
import { topologyVcpus } from "./vmi-spec.ts";

const DEFAULT_ARCHITECTURE = "amd64";
const DEFAULT_CPU_MODEL = "host-model";

/** resource.Quantity.Value(): rounded up to a whole number. */
function wholeUnits(quantity: unknown): number | undefined {
  if (typeof quantity === "number") return Math.ceil(quantity);
  if (typeof quantity !== "string") return undefined;
  const value = parseQuantity(quantity);
  return value === undefined ? undefined : Math.ceil(value);
}

function defaultCpuRequest(resources: Json): void {
  const limits = recordAt(resources, "limits");
  const requests = recordAt(resources, "requests");
  if (limits?.cpu !== undefined && requests?.cpu === undefined) recordIn(resources, "requests").cpu = limits.cpu;
}

/** setGuestMemory: the guest gets the memory request, else the limit, else one huge page. */
function defaultGuestMemory(domain: Json): void {
  const memory = recordIn(domain, "memory");
  if (memory.guest !== undefined) return;
  const guest =
    recordAt(domain, "resources", "requests")?.memory ??
    recordAt(domain, "resources", "limits")?.memory ??
    textAt(memory, "hugepages", "pageSize");
  if (guest !== undefined) memory.guest = guest;
}

/** SetDefaultGuestCPUTopology: without a topology, as many sockets as the CPU limit (else request) asks. */
function defaultCpuTopology(vmi: KubeObject, domain: Json): void {
  const cpu = recordIn(domain, "cpu");
  if (topologyVcpus(vmi) > 0) return;
  const sockets =
    wholeUnits(recordAt(domain, "resources", "limits")?.cpu) ??
    wholeUnits(recordAt(domain, "resources", "requests")?.cpu) ??
    1;
  cpu.sockets = Math.max(1, sockets);
  cpu.cores = 1;
  cpu.threads = 1;
}

/** vmispec.SetDefaultNetworkInterface: a VMI without networks gets the pod network with the cluster's binding. */
function defaultPodInterface(spec: Json, domain: Json, config: KubeVirtConfig): void {
  if (flagAt(domain, "devices", "autoattachPodInterface") === false) return;
  if (listAt(spec, "networks").length > 0 || listAt(domain, "devices", "interfaces").length > 0) return;
  const binding = config.defaultNetworkInterface === "masquerade" ? "masquerade" : "bridge";
  recordIn(domain, "devices").interfaces = [{ name: "default", [binding]: {} }];
  spec.networks = [{ name: "default", pod: {} }];
}

function defaultSpec(vmi: KubeObject, config: KubeVirtConfig): void {
  const spec = specOf(vmi);
  const domain = recordIn(spec, "domain");
  const resources = recordIn(domain, "resources");
  spec.architecture ??= DEFAULT_ARCHITECTURE;
  defaultCpuRequest(resources);
  defaultGuestMemory(domain);
  defaultCpuTopology(vmi, domain);
  spec.evictionStrategy ??= config.evictionStrategy;
  defaultPodInterface(spec, domain, config);
  const cpu = recordIn(domain, "cpu");
  if (!textAt(cpu, "model")) cpu.model = config.cpuModel ?? DEFAULT_CPU_MODEL;
}

/**
 * Status the mutator fills in: phase Pending and, when the guest size is known, the memory status.
 * A new VMI starts from a blank status: a node name carried in from the request would pin the
 * controller's pod lookup to a node no pod of this VMI is on.
 */
function defaultStatus(vmi: KubeObject, now: string): void {
  vmi.status = {};
  const status = statusOf(vmi);
  status.phase = "Pending";
  status.phaseTransitionTimestamps = [{ phase: "Pending", phaseTransitionTimestamp: now }];
  const guest = recordAt(vmi, "spec", "domain", "memory")?.guest;
  if (guest !== undefined && quantityAt(vmi, "spec", "domain", "memory", "guest") !== undefined) {
    status.memory = { guestAtBoot: guest, guestCurrent: guest, guestRequested: guest };
  }
}

export function applyVmiDefaults(vmi: KubeObject, config: KubeVirtConfig, now: string): void {
  defaultSpec(vmi, config);
  vmi.metadata.finalizers = [...(vmi.metadata.finalizers ?? []), FINALIZER.vmiForeground];
  defaultStatus(vmi, now);
}
