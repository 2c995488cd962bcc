/**
 * Anti-thrash memory: which nodes each VM left, and when. It is passed into the planner and
 * returned with the plan's moves added, so the caller (the controller, a replay) decides where it
 * lives. The snapshot's finished migrations are merged in, so a restart loses nothing.
 */
import type { ClusterModel } from "../model/cluster.ts";
import type { MoveHistory } from "../placement/framework.ts";

export interface Departure {
  readonly node: string;
  /** RFC 3339. */
  readonly at: string;
}

export interface AntiThrashState {
  /** By VM key (namespace/name), oldest first. */
  readonly departures: Readonly<Record<string, readonly Departure[]>>;
}

export const EMPTY_ANTI_THRASH: AntiThrashState = { departures: {} };

/** Departures older than this are forgotten (the daily budget and ping-pong window fit inside). */
export const HISTORY_KEEP_MS = 2 * 86_400_000;

type IndexedDeparture = { node: number; at: number };

function add(map: Map<number, IndexedDeparture[]>, vm: number, departure: IndexedDeparture): void {
  const list = map.get(vm) ?? [];
  // The same departure can arrive from both the snapshot and the state.
  if (!list.some((known) => known.node === departure.node && Math.abs(known.at - departure.at) < 1000))
    list.push(departure);
  map.set(vm, list);
}

function fromSnapshot(model: ClusterModel, now: number, into: Map<number, IndexedDeparture[]>): void {
  for (const migration of model.migrations) {
    if (migration.phase !== "Succeeded" || migration.vm < 0 || migration.source < 0) continue;
    const at = migration.endedAt ?? migration.createdAt;
    if (now - at < HISTORY_KEEP_MS) add(into, migration.vm, { node: migration.source, at });
  }
}

function fromState(
  model: ClusterModel,
  state: AntiThrashState,
  now: number,
  into: Map<number, IndexedDeparture[]>,
): void {
  for (const [key, list] of Object.entries(state.departures)) {
    const vm = model.vmIndex.get(key);
    if (vm === undefined) continue;
    for (const departure of list) {
      const node = model.nodeIndex.get(departure.node);
      const at = Date.parse(departure.at);
      if (node !== undefined && !Number.isNaN(at) && now - at < HISTORY_KEEP_MS) add(into, vm, { node, at });
    }
  }
}

/** The move history the plugins read: finished migrations in the snapshot plus the carried state. */
export function moveHistory(model: ClusterModel, state: AntiThrashState, now: number): MoveHistory {
  const departures = new Map<number, IndexedDeparture[]>();
  fromSnapshot(model, now, departures);
  fromState(model, state, now, departures);
  for (const list of departures.values()) list.sort((a, b) => a.at - b.at || a.node - b.node);
  return { departures };
}

/** The state after the given moves leave their source nodes at `now`. */
export function withDepartures(
  model: ClusterModel,
  history: MoveHistory,
  moves: readonly { vm: number; from: number }[],
  now: number,
): AntiThrashState {
  const merged = new Map<number, IndexedDeparture[]>();
  for (const [vm, list] of history.departures) merged.set(vm, [...list]);
  for (const move of moves) add(merged, move.vm, { node: move.from, at: now });
  const departures: Record<string, Departure[]> = {};
  for (const [vm, list] of [...merged].sort((a, b) => a[0] - b[0])) {
    const key = model.vms[vm]?.key;
    if (!key) continue;
    departures[key] = list
      .filter((departure) => now - departure.at < HISTORY_KEEP_MS)
      .map((departure) => ({
        node: model.nodes[departure.node]?.name ?? "",
        at: new Date(departure.at).toISOString(),
      }));
  }
  return { departures };
}
