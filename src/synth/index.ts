/**
 * Synthetic cluster snapshots for the CLI (`kubedrs snapshot generate`), the planning benchmark
 * and tests: a heterogeneous KubeVirt fleet with realistic labels, NUMA, GPUs, rules and usage.
 * Pure: the same options always give a deep-equal snapshot, everything sorted by name.
 */
import { type ClusterSnapshot, SNAPSHOT_API_VERSION, type SnapshotVm } from "../core/model/snapshot.ts";
import { createRng } from "../core/numeric/rng.ts";
import { kubevirtConfig, migrationPolicies } from "./cluster-config.ts";
import { chooseHotNodes, placementWeights } from "./hot-spots.ts";
import { recentMigrations } from "./migration-history.ts";
import { TENANTS } from "./namespaces.ts";
import { type FleetNode, buildFleet } from "./node-builder.ts";
import { applyUsage } from "./node-usage.ts";
import { placeVms } from "./placement.ts";
import type { VmDraft } from "./vm-draft.ts";
import { draftVms, fleetCapacity } from "./vm-mix.ts";

export interface GenerateOptions {
  readonly nodes: number;
  readonly vms: number;
  readonly seed: number;
  /** Fraction of nodes (0..1) to leave running hot; default 0. */
  readonly hot?: number;
  /** RFC 3339 time the snapshot describes; default 2026-11-22T10:00:00Z. */
  readonly takenAt?: string;
}

export const DEFAULT_TAKEN_AT = "2026-11-22T10:00:00Z";
const USAGE_WINDOW_SECONDS = 600;

export function generateSnapshot(options: GenerateOptions): ClusterSnapshot {
  validateOptions(options);
  const { nodes, vms, seed } = options;
  const takenAt = options.takenAt ?? DEFAULT_TAKEN_AT;
  const rng = createRng(seed);
  const fleet = buildFleet(nodes, takenAt);
  const hot = chooseHotNodes(rng.fork("hot"), fleet, options.hot ?? 0);
  const drafts = draftVms(rng.fork("vms"), vms, fleetCapacity(fleet));
  const nodeSpecs = fleet.map((node) => node.spec);
  const placed = placeVms(rng.fork("placement"), nodeSpecs, drafts, placementWeights(fleet, hot));
  applyUsage(rng.fork("usage"), fleet, groupByNode(fleet, placed), hot);
  const vmSpecs = sortedByNamespaceAndName(placed.map((draft) => draft.spec));
  // Also records, on the host-model VMs it moved, the CPU selectors KubeVirt leaves behind.
  const migrations = recentMigrations(rng.fork("history"), fleet, vmSpecs, takenAt);
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: "ClusterSnapshot",
    metadata: { name: `synthetic-${nodes}-nodes-${vms}-vms-seed-${seed}` },
    takenAt,
    usageWindow: USAGE_WINDOW_SECONDS,
    kubevirt: kubevirtConfig(),
    namespaces: TENANTS.map((tenant) => ({ name: tenant.name, labels: { ...tenant.labels } })),
    nodes: nodeSpecs,
    vms: vmSpecs,
    migrations,
    migrationPolicies: migrationPolicies(),
  };
}

function validateOptions(options: GenerateOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.nodes) || options.nodes < 1)
    problems.push(`nodes must be a whole number ≥ 1, got ${options.nodes}`);
  if (!Number.isInteger(options.vms) || options.vms < 0)
    problems.push(`vms must be a whole number ≥ 0, got ${options.vms}`);
  if (!Number.isSafeInteger(options.seed)) problems.push(`seed must be a whole number, got ${options.seed}`);
  const hot = options.hot ?? 0;
  if (!(hot >= 0 && hot <= 1)) problems.push(`hot must be a fraction of the nodes between 0 and 1, got ${hot}`);
  if (options.takenAt !== undefined && Number.isNaN(Date.parse(options.takenAt)))
    problems.push(
      `takenAt must be an RFC 3339 time such as ${DEFAULT_TAKEN_AT}, got ${JSON.stringify(options.takenAt)}`,
    );
  if (problems.length > 0) throw new RangeError(`cannot generate a snapshot: ${problems.join("; ")}`);
}

function groupByNode(fleet: readonly FleetNode[], placed: readonly VmDraft[]): SnapshotVm[][] {
  const indexByName = new Map(fleet.map((node, index) => [node.spec.name, index]));
  const byNode: SnapshotVm[][] = fleet.map(() => []);
  for (const { spec } of placed) byNode[indexByName.get(spec.node) ?? -1]?.push(spec);
  return byNode;
}

/** The order the cluster model uses: by "namespace/name", each key built once. */
function sortedByNamespaceAndName(vms: readonly SnapshotVm[]): SnapshotVm[] {
  const keyed = vms.map((vm) => ({ key: `${vm.namespace}/${vm.name}`, vm }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map(({ vm }) => vm);
}
