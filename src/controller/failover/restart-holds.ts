/**
 * Drives restart priorities through KubeVirt: before a fenced node's VMs are released, the VMs the
 * restart order makes wait are set to run strategy Halted (their own strategy kept in the
 * annotation kubedrs.io/held-run-strategy), so KubeVirt starts only the first classes; each is given
 * its strategy back when core/failover/holds says its turn has come.
 */
import type { ApiClient } from "../../adapters/kube/client/api-client.ts";
import { failoverPolicyFor } from "../../core/failover/detect.ts";
import { type HeldVm, releasableHolds } from "../../core/failover/holds.ts";
import { rankClasses, restartOrder } from "../../core/failover/restart-order.ts";
import type { ClusterModel } from "../../core/model/cluster.ts";
import { KUBEDRS } from "../../core/model/kubedrs-labels.ts";
import type { FailoverPolicySpec } from "../../core/policy/kinds/failover-policy.ts";
import type { PolicySet } from "../../core/policy/policy-set.ts";

const HELD_ANNOTATION = KUBEDRS.heldRunStrategy;

export interface Holds {
  /** Every VM of the incident that is to run again with its priority class (not those left alone: Manual, Halted). */
  readonly classes: Readonly<Record<string, string>>;
  readonly held: readonly HeldVm[];
}

function vmPath(vm: string): string {
  const [namespace = "", name = ""] = vm.split("/");
  return `/apis/kubevirt.io/v1/namespaces/${namespace}/virtualmachines/${name}`;
}

/** Each priority class's rank in the restart order of the node's FailoverPolicy (what holds go by). */
function classRanks(
  cluster: { readonly model: ClusterModel; readonly policies: PolicySet },
  node: string,
): Map<string, number> {
  const info = cluster.model.nodes[cluster.model.nodeIndex.get(node) ?? -1];
  const policy = info ? failoverPolicyFor(cluster.policies, info) : undefined;
  const classes = rankClasses(policy?.spec.restart.priorityClasses ?? []);
  return new Map([...classes].map(([name, cls]) => [name, cls.rank]));
}

/** Halts the VMs that must wait (computed as if the node were fenced now); returns the classes and holds for the incident. */
export async function holdWaiting(
  api: ApiClient,
  cluster: { readonly model: ClusterModel; readonly policies: PolicySet },
  node: string,
  now: number,
): Promise<Holds> {
  const order = restartOrder({ ...cluster, now, node, running: new Set() });
  // VMs left alone never run again on their own, so no class may wait for them.
  const toRun = order.filter((decision) => decision.action !== "leave");
  const classes = Object.fromEntries(toRun.map((decision) => [decision.vm, decision.priorityClass]));
  const ranks = classRanks(cluster, node);
  const held: HeldVm[] = [];
  for (const decision of order.filter((entry) => entry.action === "wait")) {
    const vm = cluster.model.vms[cluster.model.vmIndex.get(decision.vm) ?? -1];
    if (!vm?.owner) continue;
    const body = {
      metadata: { annotations: { [HELD_ANNOTATION]: vm.runStrategy ?? "Always" } },
      spec: { runStrategy: "Halted" },
    };
    await api.patch(vmPath(decision.vm), body);
    const priority = ranks.get(decision.priorityClass) ?? decision.priority;
    held.push({ vm: decision.vm, priorityClass: decision.priorityClass, priority });
  }
  return { classes, held };
}

async function restore(api: ApiClient, vm: string): Promise<void> {
  const current = (await api.get(vmPath(vm))) as { metadata?: { annotations?: Record<string, string> } };
  const strategy = current.metadata?.annotations?.[HELD_ANNOTATION] ?? "Always";
  await api.patch(vmPath(vm), {
    metadata: { annotations: { [HELD_ANNOTATION]: null } },
    spec: { runStrategy: strategy },
  });
}

/** Lifts every hold (the incident ended without a release). */
export async function restoreAll(api: ApiClient, held: readonly HeldVm[]): Promise<void> {
  for (const entry of held) await restore(api, entry.vm);
}

/** Gives their run strategy back to the held VMs whose turn has come; returns those still held. */
export async function releaseTurns(
  api: ApiClient,
  restart: FailoverPolicySpec["restart"],
  holds: Holds & { readonly restarted: readonly { vm: string; at: string }[] },
  now: number,
): Promise<HeldVm[]> {
  const restarted = holds.restarted.map((entry) => ({ vm: entry.vm, at: Date.parse(entry.at) }));
  const input = { restart, classes: new Map(Object.entries(holds.classes)), held: holds.held, restarted, now };
  const go = new Set(releasableHolds(input).map((held) => held.vm));
  for (const vm of go) await restore(api, vm);
  return holds.held.filter((held) => !go.has(held.vm));
}
