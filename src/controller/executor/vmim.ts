/**
 * The VirtualMachineInstanceMigration kubedrs creates for one move, and what it reads back from one.
 * `spec.addedNodeSelector` pins the target node (KubeVirt ≥ 1.6); labels and annotations tie the
 * object to its plan and say why it exists, so `kubectl get vmim -l app.kubernetes.io/managed-by=kubedrs`
 * explains itself and a restarted controller can find and follow it.
 */
import type { JsonObject } from "../../adapters/kube/convert/meta.ts";
import type { PlannedMove } from "../../core/balance/plan-types.ts";
import { KUBEDRS } from "../../core/model/kubedrs-labels.ts";

export const HOSTNAME_LABEL = "kubernetes.io/hostname";
const FINAL_PHASES = new Set(["Succeeded", "Failed"]);
const GiB = 2 ** 30;
/** A migration kubedrs started is cancelled when it runs this many times longer than predicted… */
const DEADLINE_FACTOR = 3;
/** …and never sooner than this, so a short prediction still leaves room for scheduling the target pod. */
const MIN_DEADLINE_MS = 10 * 60_000;

/** FNV-1a, so the same plan and VM always give the same name: a second create fails with 409. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(36).padStart(7, "0");
}

export function migrationName(planName: string, vm: string): string {
  const vmName = vm.slice(vm.indexOf("/") + 1);
  return `kubedrs-${vmName.slice(0, 40).replace(/[^a-z0-9-]/g, "-")}-${shortHash(`${planName}/${vm}`)}`;
}

export function deadlineFor(move: PlannedMove, now: number): number {
  return now + Math.max(MIN_DEADLINE_MS, move.cost.durationSeconds * 1000 * DEADLINE_FACTOR);
}

function expectation(move: PlannedMove): string {
  const copy = (move.cost.bytes / GiB).toFixed(1);
  return `gain ${move.gain.points.toFixed(1)}, cost ${move.cost.points.toFixed(1)}, copy ${copy}Gi in ~${Math.round(move.cost.durationSeconds)}s`;
}

export function migrationObject(move: PlannedMove, planName: string, now: number): JsonObject {
  const [namespace = "", vmiName = ""] = move.vm.split("/");
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstanceMigration",
    metadata: {
      name: migrationName(planName, move.vm),
      namespace,
      labels: {
        [KUBEDRS.managedBy]: "kubedrs",
        [KUBEDRS.plan]: planName,
        [KUBEDRS.moveKind]: move.kind,
        [KUBEDRS.source]: move.from,
        [KUBEDRS.target]: move.to,
      },
      annotations: {
        [KUBEDRS.reason]: move.reasons[0] ?? move.kind,
        [KUBEDRS.expectation]: expectation(move),
        [KUBEDRS.deadline]: new Date(deadlineFor(move, now)).toISOString(),
      },
    },
    spec: { vmiName, addedNodeSelector: { [HOSTNAME_LABEL]: move.to } },
  };
}

/** What the executor reads from a VMIM in the cache. */
export interface ObservedMigration {
  readonly key: string;
  /** namespace/name of the VMI. */
  readonly vm: string;
  readonly phase: string;
  readonly final: boolean;
  readonly byKubedrs: boolean;
  readonly kind: string;
  readonly source: string | undefined;
  readonly target: string | undefined;
  readonly createdAt: number;
  readonly endedAt: number | undefined;
  readonly deadline: number | undefined;
  readonly reason: string | undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function time(value: unknown): number | undefined {
  const parsed = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? undefined : parsed;
}

interface MigrationFields {
  metadata?: {
    namespace?: unknown;
    name?: unknown;
    creationTimestamp?: unknown;
    labels?: Record<string, unknown>;
    annotations?: Record<string, unknown>;
  };
  spec?: { vmiName?: unknown; addedNodeSelector?: Record<string, unknown> };
  status?: {
    phase?: unknown;
    migrationState?: { sourceNode?: unknown; targetNode?: unknown; endTimestamp?: unknown };
  };
}

function nodesOf(fields: MigrationFields): { source: string | undefined; target: string | undefined } {
  const labels = fields.metadata?.labels ?? {};
  const state = fields.status?.migrationState ?? {};
  const pinned = text(fields.spec?.addedNodeSelector?.[HOSTNAME_LABEL]);
  return {
    source: text(state.sourceNode) ?? text(labels[KUBEDRS.source]),
    target: text(state.targetNode) ?? text(labels[KUBEDRS.target]) ?? pinned,
  };
}

function kubedrsMarks(
  metadata: NonNullable<MigrationFields["metadata"]>,
): Pick<ObservedMigration, "byKubedrs" | "kind" | "deadline" | "reason"> {
  const labels = metadata.labels ?? {};
  const annotations = metadata.annotations ?? {};
  return {
    byKubedrs: labels[KUBEDRS.managedBy] === "kubedrs",
    kind: text(labels[KUBEDRS.moveKind]) ?? "balance",
    deadline: time(annotations[KUBEDRS.deadline]),
    reason: text(annotations[KUBEDRS.reason]),
  };
}

/** Undefined for an object too odd to follow (no name or no VMI), which the caller reports. */
export function observeMigration(object: JsonObject): ObservedMigration | undefined {
  const fields = object as MigrationFields;
  const { metadata = {} } = fields;
  const namespace = text(metadata.namespace);
  const name = text(metadata.name);
  const vmiName = text(fields.spec?.vmiName);
  if (namespace === undefined || name === undefined || vmiName === undefined) return undefined;
  const phase = text(fields.status?.phase) ?? "";
  return {
    key: `${namespace}/${name}`,
    vm: `${namespace}/${vmiName}`,
    phase,
    final: FINAL_PHASES.has(phase),
    ...kubedrsMarks(metadata),
    ...nodesOf(fields),
    createdAt: time(metadata.creationTimestamp) ?? 0,
    endedAt: time(fields.status?.migrationState?.endTimestamp),
  };
}
