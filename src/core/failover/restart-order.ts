/**
 * restartOrder: the VMs of a fenced node, in the order they restart elsewhere, as vSphere HA's
 * restart priority does it. Each VM's class comes from kubedrs.io/restart-priority (the policy's
 * defaultClass when it names none or an unknown one); higher classes go first, then by VM name.
 * A class with startAfter waits until those classes' VMs run again, plus its readyDelay. Capacity
 * is checked with the placement core (purpose "restart") as the order is walked, so when it runs
 * short the lowest priorities wait, and once a class is short no lower class jumps it.
 */
import { listed } from "../model/listed.ts";
import type { ClusterModel, NodeInfo, VmInfo } from "../model/cluster.ts";
import { nodeCpuFromLabels } from "../model/kubevirt-labels.ts";
import { Placement } from "../model/placement.ts";
import { formatDuration } from "../model/quantity.ts";
import { createPlacementContext } from "../placement/context.ts";
import { defaultRegistry } from "../placement/default-plugins.ts";
import { PlacementEngine } from "../placement/engine.ts";
import { summarizeRejections } from "../placement/rejection-summary.ts";
import type { PlacementContext, Rejection } from "../placement/framework.ts";
import type { FailoverPolicySpec } from "../policy/kinds/failover-policy.ts";
import { type PolicySet, primaryBalancePolicy } from "../policy/policy-set.ts";
import { failoverPolicyFor } from "./detect.ts";
import type { RestartDecision } from "./types.ts";

export interface RestartInput {
  /**
   * The cluster with the fenced node's VMs still on it (the snapshot the incident started from, or
   * the live one while their stranded VMIs remain): "on the fenced node" is read from here.
   */
  readonly model: ClusterModel;
  readonly policies: PolicySet;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** The fenced node. */
  readonly node: string;
  /** VM keys (namespace/name) already Running again elsewhere. */
  readonly running: ReadonlySet<string>;
  /** When each class's VMs on this node were all Running again (ms since the epoch), for readyDelay. */
  readonly classSince?: ReadonlyMap<string, number> | undefined;
}

type ClassSpec = FailoverPolicySpec["restart"]["priorityClasses"][number];

const MS = 1000;

/** A class as the order uses it: startAfter without self-references or cycles, and the rank it inherits. */
export interface RankedClass {
  readonly spec: ClassSpec;
  readonly after: readonly string[];
  /** Its value, raised to the highest value of any class that starts after it, so prerequisites go first. */
  readonly rank: number;
  /** Length of its longest startAfter chain: prerequisites before dependents at equal rank. */
  readonly depth: number;
  /** startAfter entries dropped because they close a cycle. */
  readonly cyclic: readonly string[];
}

function reaches(byName: ReadonlyMap<string, ClassSpec>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    if (name === to) return true;
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...(byName.get(name)?.startAfter ?? []));
  }
  return false;
}

/**
 * The policy's classes by name, as the order uses them: each one's startAfter without unknown
 * classes, self-references or the entries that close a cycle, its inherited rank and its depth.
 */
export function rankClasses(classes: readonly ClassSpec[]): Map<string, RankedClass> {
  const byName = new Map(classes.map((spec) => [spec.name, spec]));
  // An edge c → p (c starts after p) stays only when p is a known class that does not lead back to c.
  const after = new Map(
    classes.map((spec) => [spec.name, spec.startAfter.filter((p) => byName.has(p) && !reaches(byName, p, spec.name))]),
  );
  const depth = new Map<string, number>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const value = 1 + Math.max(-1, ...(after.get(name) ?? []).map(depthOf));
    depth.set(name, value);
    return value;
  };
  const rank = new Map<string, number>();
  const rankOf = (name: string): number => {
    const known = rank.get(name);
    if (known !== undefined) return known;
    const dependents = classes.filter((spec) => (after.get(spec.name) ?? []).includes(name));
    const value = Math.max(byName.get(name)?.value ?? 0, ...dependents.map((spec) => rankOf(spec.name)));
    rank.set(name, value);
    return value;
  };
  return new Map(
    classes.map((spec) => {
      const kept = after.get(spec.name) ?? [];
      const cyclic = spec.startAfter.filter((p) => !kept.includes(p));
      return [spec.name, { spec, after: kept, rank: rankOf(spec.name), depth: depthOf(spec.name), cyclic }];
    }),
  );
}

interface Entry {
  readonly vm: VmInfo;
  readonly cls: RankedClass;
  /** The class and how it was chosen: "class high (300)", "class medium (200, the defaultClass: no kubedrs.io/restart-priority)". */
  readonly chosen: string;
  readonly leave: string | undefined;
}

function classOf(vm: VmInfo, classes: ReadonlyMap<string, RankedClass>, fallback: string): [RankedClass, string] {
  const named = vm.restartPriority === undefined ? undefined : classes.get(vm.restartPriority);
  if (named) return [named, `class ${named.spec.name} (${named.spec.value})`];
  const cls = classes.get(fallback) ?? [...classes.values()][0];
  // The schema guarantees defaultClass names a class and there is one; this is the type system's due.
  if (!cls) throw new Error(`FailoverPolicy has no priority class named ${fallback}`);
  const why =
    vm.restartPriority === undefined
      ? "no kubedrs.io/restart-priority"
      : `unknown class ${JSON.stringify(vm.restartPriority)} in kubedrs.io/restart-priority`;
  return [cls, `class ${cls.spec.name} (${cls.spec.value}, the defaultClass: ${why})`];
}

/** KubeVirt starts the VM again by itself once its VMI is gone: every run strategy but Manual and Halted. */
export function restartsByItself(vm: VmInfo): boolean {
  return vm.runStrategy !== "Manual" && vm.runStrategy !== "Halted";
}

function leaveReason(vm: VmInfo): string | undefined {
  if (restartsByItself(vm)) return undefined;
  return `runStrategy ${vm.runStrategy}: KubeVirt does not start it on its own, and kubedrs leaves it alone`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Which class goes first: the higher rank, then prerequisites before dependents, the higher value, the name. */
export function compareClasses(a: RankedClass, b: RankedClass): number {
  return b.rank - a.rank || a.depth - b.depth || b.spec.value - a.spec.value || compareText(a.spec.name, b.spec.name);
}

function byOrder(a: Entry, b: Entry): number {
  return compareClasses(a.cls, b.cls) || compareText(a.vm.key, b.vm.key);
}

/**
 * The model with the fenced node's VMs moved to a limbo node outside every topology domain: they
 * hold no capacity and count in no affinity domain until they are placed again.
 */
function withoutFencedVms(model: ClusterModel, fenced: NodeInfo): ClusterModel {
  // Built from the fenced node so it has every NodeInfo field; what matters is that it has no labels,
  // room or readiness, so no topology domain counts it and no filter lets anything onto it.
  const limbo: NodeInfo = {
    ...fenced,
    index: model.nodes.length,
    name: "\u0000limbo",
    labels: {},
    annotations: {},
    taints: [],
    zone: "",
    notReadyReason: "limbo: the VMs of a fenced node, waiting to restart",
    unschedulable: true,
    allocatable: {},
    cpu: nodeCpuFromLabels({}),
    numa: undefined,
    usage: undefined,
    pressure: undefined,
  };
  return {
    ...model,
    nodes: [...model.nodes, limbo],
    vms: model.vms.map((vm) => (vm.node === fenced.index ? { ...vm, node: limbo.index } : vm)),
  };
}

/** "no node can take it: 5 × ResourcesFit (…); 2 × NodeAffinity (…)", the commonest first. */
function noFitReason(rejections: readonly Rejection[]): string {
  const summary = summarizeRejections(rejections);
  return summary === undefined ? "no other node to restart on" : `no node can take it: ${summary}`;
}

interface Walk {
  readonly ctx: PlacementContext;
  readonly engine: PlacementEngine;
  readonly candidates: readonly NodeInfo[];
}

/** The best-scoring node every hard rule allows (ties to the first by name), or why there is none. */
function bestFit(walk: Walk, vm: VmInfo): { node: NodeInfo } | { reason: string } {
  const fitting: NodeInfo[] = [];
  const rejections: Rejection[] = [];
  for (const node of walk.candidates) {
    const rejection = walk.engine.rejection(walk.ctx, vm, node);
    if (rejection) rejections.push(rejection);
    else fitting.push(node);
  }
  if (fitting.length === 0) return { reason: noFitReason(rejections) };
  const scores = walk.engine.score(walk.ctx, vm, fitting, walk.ctx.balance.scoring.weights);
  let best = 0;
  scores.forEach((score, position) => {
    if (score.total > (scores[best]?.total ?? Number.NEGATIVE_INFINITY)) best = position;
  });
  const node = fitting[best];
  return node ? { node } : { reason: noFitReason(rejections) };
}

/** Per class: its VMs on the fenced node that are to run again, and how many are not Running yet. */
function pendingByClass(entries: readonly Entry[], running: ReadonlySet<string>): Map<string, string[]> {
  const pending = new Map<string, string[]>();
  for (const entry of entries) {
    if (entry.leave) continue;
    const list = pending.get(entry.cls.spec.name) ?? [];
    if (!running.has(entry.vm.key)) list.push(entry.vm.key);
    pending.set(entry.cls.spec.name, list);
  }
  return pending;
}

function listVms(keys: readonly string[]): string {
  return listed(keys, 3);
}

/** What a class still waits for before it may start. */
export type ClassWait =
  /** A class it starts after has VMs not Running yet. */
  | { readonly kind: "running"; readonly after: string; readonly waiting: readonly string[] }
  /** Its readyDelay runs from when these classes became Running, which is not known. */
  | { readonly kind: "unknownSince"; readonly after: readonly string[] }
  /** Its readyDelay after these classes became Running is over at `until` (ms since the epoch). */
  | { readonly kind: "readyDelay"; readonly after: readonly string[]; readonly until: number };

/** How far the incident's classes are, for classWait. */
export interface ClassProgress {
  /** Per class with VMs to run again, those not Running yet; a class not in it is not waited for. */
  readonly pending: ReadonlyMap<string, readonly string[]>;
  /** When each class's VMs were all Running again (ms since the epoch). */
  readonly since: ReadonlyMap<string, number> | undefined;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/** What keeps the class from starting now (its cycle-free startAfter, its readyDelay), or undefined when nothing does. */
export function classWait(cls: RankedClass, progress: ClassProgress): ClassWait | undefined {
  const present = cls.after.filter((name) => progress.pending.has(name));
  for (const name of present) {
    const waiting = progress.pending.get(name) ?? [];
    if (waiting.length > 0) return { kind: "running", after: name, waiting };
  }
  const delay = cls.spec.readyDelay;
  if (delay <= 0 || present.length === 0) return undefined;
  const since = present.map((name) => progress.since?.get(name));
  const unknown = present.filter((_, index) => since[index] === undefined);
  if (unknown.length > 0) return { kind: "unknownSince", after: unknown };
  const until = Math.max(...since.map((at) => at ?? 0)) + delay * MS;
  return progress.now < until ? { kind: "readyDelay", after: present, until } : undefined;
}

/** Why the class may not start yet (startAfter, readyDelay), or undefined when it may. */
function gate(cls: RankedClass, input: RestartInput, pending: ReadonlyMap<string, string[]>): string | undefined {
  const wait = classWait(cls, { pending, since: input.classSince, now: input.now });
  const delay = formatDuration(cls.spec.readyDelay);
  switch (wait?.kind) {
    case undefined:
      return undefined;
    case "running":
      return `starts after class ${wait.after}, whose VMs are not all Running yet (${listVms(wait.waiting)})`;
    case "unknownSince":
      return `readyDelay ${delay}: when class ${wait.after.join(", ")} became Running is not known`;
    case "readyDelay":
      return `starts ${delay} after class ${wait.after.join(", ")} became Running: waiting ${formatDuration((wait.until - input.now) / MS)} more`;
  }
}

/** The first class, in order, with a VM that did not fit, and how many VMs at its rank did not. */
interface Short {
  readonly cls: RankedClass;
  count: number;
}

interface WalkState {
  short: Short | undefined;
  /** Per class, its VMs on the fenced node that are not Running again yet (left-alone VMs not counted). */
  readonly pending: ReadonlyMap<string, string[]>;
}

function decide(walk: Walk, entry: Entry, input: RestartInput, state: WalkState): RestartDecision {
  const base = { vm: entry.vm.key, priorityClass: entry.cls.spec.name, priority: entry.cls.spec.value };
  if (entry.leave) return { ...base, action: "leave", fits: undefined, reason: entry.leave };
  if (input.running.has(entry.vm.key)) {
    return { ...base, action: "restart", fits: undefined, reason: `${entry.chosen}: already Running again elsewhere` };
  }
  const short = state.short;
  if (short && short.cls.rank > entry.cls.rank) {
    const reason = `${entry.chosen}: waits behind class ${short.cls.spec.name} (${short.cls.spec.value}), where ${short.count} VM(s) do not fit yet`;
    return { ...base, action: "wait", fits: undefined, reason };
  }
  // The walk's own copy of the VM, which starts in limbo rather than on the fenced node.
  const vm = walk.ctx.model.vms[entry.vm.index] ?? entry.vm;
  const fit = bestFit(walk, vm);
  if ("reason" in fit) {
    if (state.short) state.short.count += 1;
    else state.short = { cls: entry.cls, count: 1 };
    return { ...base, action: "wait", fits: undefined, reason: `${entry.chosen}: waiting for capacity: ${fit.reason}` };
  }
  // Placed even while it waits for its startAfter classes: the room stays reserved from lower classes.
  walk.ctx.placement.move(vm, fit.node.index);
  const held = gate(entry.cls, input, state.pending);
  if (held)
    return {
      ...base,
      action: "wait",
      fits: fit.node.name,
      reason: `${entry.chosen}: ${held}; room kept on ${fit.node.name}`,
    };
  const cyclic =
    entry.cls.cyclic.length > 0 ? ` (startAfter ${entry.cls.cyclic.join(", ")} ignored: it forms a cycle)` : "";
  return {
    ...base,
    action: "restart",
    fits: fit.node.name,
    reason: `${entry.chosen}: ${fit.node.name} can run it${cyclic}`,
  };
}

function unprotected(vms: readonly VmInfo[], node: string): RestartDecision[] {
  return vms.map((vm) => ({
    vm: vm.key,
    priorityClass: "",
    priority: 0,
    action: "leave",
    fits: undefined,
    reason: `no FailoverPolicy selects node ${node}: kubedrs does not restart its VMs`,
  }));
}

/** Every VM of the fenced node, in restart order, each with what to do now and why. */
export function restartOrder(input: RestartInput): RestartDecision[] {
  const fenced = input.model.nodeIndex.get(input.node);
  const fencedNode = fenced === undefined ? undefined : input.model.nodes[fenced];
  if (fenced === undefined || !fencedNode) return [];
  const vms = input.model.vms.filter((vm) => vm.node === fenced);
  const policy = failoverPolicyFor(input.policies, fencedNode);
  if (!policy) return unprotected(vms, input.node);
  const classes = rankClasses(policy.spec.restart.priorityClasses);
  const entries = vms
    .map((vm): Entry => {
      const [cls, chosen] = classOf(vm, classes, policy.spec.restart.defaultClass);
      return { vm, cls, chosen, leave: leaveReason(vm) };
    })
    .sort(byOrder);
  const model = withoutFencedVms(input.model, fencedNode);
  const walk: Walk = {
    ctx: createPlacementContext({
      model,
      placement: Placement.fromModel(model),
      policies: input.policies,
      balance: primaryBalancePolicy(input.policies).spec,
      purpose: "restart",
      now: input.now,
    }),
    engine: new PlacementEngine(defaultRegistry()),
    candidates: input.model.nodes.filter((node) => node.index !== fenced),
  };
  const state: WalkState = { short: undefined, pending: pendingByClass(entries, input.running) };
  return entries.map((entry) => decide(walk, entry, input, state));
}
