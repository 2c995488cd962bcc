/** A VMI's requests, limits, guest memory and hugepages. */
import { parseQuantity } from "../../../core/model/quantity.ts";
import type { SnapshotVm } from "../../../core/model/snapshot.ts";
import type { Field } from "./field.ts";
import { podLimits, podRequests } from "./launcher-pod.ts";

type ResourceList = Record<string, number>;

/** Guest RAM, what a migration copies: the guest size, else the memory request, else what the guest has now. */
export function guestMemoryOf(vmi: Field): number | undefined {
  const domain = vmi.key("spec").key("domain");
  return (
    domain.key("memory").key("guest").quantity() ??
    domain.key("resources").key("requests").key("memory").quantity() ??
    vmi.key("status").key("memory").key("guestCurrent").quantity()
  );
}

/**
 * What the scheduler sees: the virt-launcher pod's requests when the pod is known, else the VMI's
 * own requests, whose memory KubeVirt defaults to the guest memory.
 */
export function requestsOf(domain: Field, pod: Field | undefined, guestMemory: number | undefined): ResourceList {
  if (pod !== undefined) return podRequests(pod);
  const requests = domain.key("resources").key("requests").resourceList() ?? {};
  if (requests.memory === undefined && guestMemory !== undefined) return { ...requests, memory: guestMemory };
  return requests;
}

export function limitsOf(domain: Field, pod: Field | undefined): ResourceList | undefined {
  if (pod !== undefined) return podLimits(pod);
  const limits = domain.key("resources").key("limits").resourceList();
  return limits !== undefined && Object.keys(limits).length > 0 ? limits : undefined;
}

export function hugepagesOf(domain: Field): SnapshotVm["hugepages"] {
  const size = domain.key("memory").key("hugepages").key("pageSize");
  const pageSize = size.string();
  if (pageSize === undefined) return undefined;
  if ((parseQuantity(pageSize) ?? 0) > 0) return { pageSize };
  size.report(`not a page size: ${JSON.stringify(pageSize)} (examples: 2Mi, 1Gi)`);
  return undefined;
}
