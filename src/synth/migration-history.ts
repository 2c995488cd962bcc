/**
 * A day of finished migrations: balancing moves kubedrs made, and evacuations or manual moves it
 * did not. Each moved a VM between two nodes of the same pool, so the CPU selectors a host-model
 * VM carries from its first boot still match where it runs now.
 */
import { LABEL } from "../core/model/kubevirt-labels.ts";
import type { SnapshotMigration, SnapshotVm } from "../core/model/snapshot.ts";
import type { Rng } from "../core/numeric/rng.ts";
import { isoSeconds } from "./clock.ts";
import { chance, uniform } from "./distributions.ts";
import type { FleetNode } from "./node-builder.ts";

const DAY_SECONDS = 86_400;
const SUCCESS_SHARE = 0.85;
const KUBEDRS_SHARE = 0.5;
/** Kubernetes' generateName alphabet: no vowels, no look-alikes. */
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

interface History {
  readonly rng: Rng;
  readonly takenAtMs: number;
  readonly nodes: ReadonlyMap<string, FleetNode>;
  readonly poolMembers: ReadonlyMap<string, readonly string[]>;
}

/** A few migrations from the last day, sorted by namespace and name. Records host-model VMs' CPU selectors. */
export function recentMigrations(
  rng: Rng,
  fleet: readonly FleetNode[],
  vms: readonly SnapshotVm[],
  takenAt: string,
): SnapshotMigration[] {
  const history: History = {
    rng,
    takenAtMs: Date.parse(takenAt),
    nodes: new Map(fleet.map((node) => [node.spec.name, node])),
    poolMembers: poolMembers(fleet),
  };
  const movable = vms.filter((vm) => vm.liveMigratable.status === "True");
  const wanted = Math.min(movable.length, 4 + Math.round(Math.log2(1 + vms.length)));
  const chosen = new Set<SnapshotVm>();
  for (let attempt = 0; attempt < 4 * wanted && chosen.size < wanted; attempt += 1) chosen.add(rng.pick(movable));
  const migrations: SnapshotMigration[] = [];
  for (const vm of chosen) {
    const migration = migrationOf(history, vm);
    if (migration) migrations.push(migration);
  }
  return migrations.sort((a, b) => compareKeys(a, b));
}

function poolMembers(fleet: readonly FleetNode[]): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const { spec, pool } of fleet) {
    const names = members.get(pool.name);
    if (names) names.push(spec.name);
    else members.set(pool.name, [spec.name]);
  }
  return members;
}

function compareKeys(a: SnapshotMigration, b: SnapshotMigration): number {
  const left = `${a.namespace}/${a.name}`;
  const right = `${b.namespace}/${b.name}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

function migrationOf(history: History, vm: SnapshotVm): SnapshotMigration | undefined {
  const { rng } = history;
  const current = history.nodes.get(vm.node);
  const peers = (history.poolMembers.get(current?.pool.name ?? "") ?? []).filter((name) => name !== vm.node);
  if (!current || peers.length === 0) return undefined;
  const other = rng.pick(peers);
  const succeeded = chance(rng, SUCCESS_SHARE);
  const byKubedrs = chance(rng, KUBEDRS_SHARE);
  // A success brought the VM here; a failure left it where it was.
  const [source, target] = succeeded ? [other, vm.node] : [vm.node, other];
  const createdMs = history.takenAtMs - Math.round(uniform(rng, 600, DAY_SECONDS - 1800)) * 1000;
  const seconds = Math.round((vm.guestMemory ?? 0) / 6e8 + uniform(rng, 5, 20));
  if (succeeded) recordHostModelSelectors(vm, history.nodes.get(source));
  return {
    namespace: vm.namespace,
    name: `${byKubedrs ? `kubedrs-${vm.name}` : rng.pick(["kubevirt-evacuation", "kubevirt-migrate-vm"])}-${suffix(rng)}`,
    vm: vm.name,
    phase: succeeded ? "Succeeded" : "Failed",
    source,
    target,
    createdAt: isoSeconds(createdMs),
    endedAt: isoSeconds(createdMs + seconds * 1000),
    byKubedrs,
    ...(byKubedrs && { reason: `balance: move off ${source} to lower its CPU utilization` }),
  };
}

/** KubeVirt pins a migrated host-model VM to its boot host's CPU model, required features and vendor. */
function recordHostModelSelectors(vm: SnapshotVm, bootNode: FleetNode | undefined): void {
  if (!bootNode || (vm.cpu.model !== "" && vm.cpu.model !== "host-model")) return;
  const cpu = bootNode.pool.cpu;
  const selectors: Record<string, string> = {
    [LABEL.cpuModelMigration + cpu.hostModel]: "true",
    [LABEL.cpuVendor + cpu.vendor]: "true",
  };
  for (const feature of cpu.hostModelRequiredFeatures) selectors[LABEL.cpuFeature + feature] = "true";
  vm.migrationSelectors = selectors;
}

function suffix(rng: Rng): string {
  let text = "";
  for (let i = 0; i < 5; i += 1) text += NAME_ALPHABET[rng.int(0, NAME_ALPHABET.length - 1)] ?? "x";
  return text;
}
