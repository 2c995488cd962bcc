/**
 * Schedules planned moves into waves. Moves in a wave run at once; each wave starts when the one
 * before has finished. A wave respects the concurrency limits (cluster, outbound and inbound per
 * node), never overcommits a node (a migrating VM holds resources on both nodes), and never starts
 * a move whose target is the source of an earlier move still running: the planner counted on that
 * VM being gone.
 */
import type { ClusterModel, VmInfo } from "../model/cluster.ts";
import type { Placement } from "../model/placement.ts";

export interface ScheduleLimits {
  readonly parallel: number;
  readonly outboundPerNode: number;
  readonly inboundPerNode: number;
}

export interface MoveToSchedule {
  readonly vm: number;
  readonly from: number;
  readonly to: number;
  readonly durationSeconds: number;
}

export interface Schedule {
  /** Wave index per move. */
  readonly wave: readonly number[];
  readonly dependsOn: readonly (readonly number[])[];
  readonly waves: number;
  readonly estimatedDurationSeconds: number;
}

/** Earlier moves whose source is this move's target: they must be done first. */
function dependencies(moves: readonly MoveToSchedule[]): number[][] {
  return moves.map((move, j) => {
    const deps: number[] = [];
    for (let i = 0; i < j; i += 1) if (moves[i]?.from === move.to) deps.push(i);
    return deps;
  });
}

class WaveSlots {
  private total = 0;
  private readonly outbound = new Map<number, number>();
  private readonly inbound = new Map<number, number>();

  private readonly limits: ScheduleLimits;

  constructor(limits: ScheduleLimits) {
    this.limits = limits;
  }

  fits(move: MoveToSchedule): boolean {
    return (
      this.total < this.limits.parallel &&
      (this.outbound.get(move.from) ?? 0) < this.limits.outboundPerNode &&
      (this.inbound.get(move.to) ?? 0) < this.limits.inboundPerNode
    );
  }

  take(move: MoveToSchedule): void {
    this.total += 1;
    this.outbound.set(move.from, (this.outbound.get(move.from) ?? 0) + 1);
    this.inbound.set(move.to, (this.inbound.get(move.to) ?? 0) + 1);
  }
}

function targetHasRoom(placement: Placement, vm: VmInfo, node: number): boolean {
  return placement.overflow(vm, node) === undefined && typeof placement.numaFit(vm, node) !== "string";
}

interface WaveState {
  readonly model: ClusterModel;
  readonly moves: readonly MoveToSchedule[];
  readonly deps: readonly (readonly number[])[];
  readonly wave: number[];
  readonly placement: Placement;
  readonly limits: ScheduleLimits;
}

function startable(state: WaveState, index: number, current: number, slots: WaveSlots): VmInfo | undefined {
  const move = state.moves[index];
  const vm = move && state.model.vms[move.vm];
  if (!move || !vm) return undefined;
  const ready = (state.deps[index] ?? []).every((dep) => {
    const depWave = state.wave[dep] ?? -1;
    return depWave >= 0 && depWave < current;
  });
  return ready && slots.fits(move) && targetHasRoom(state.placement, vm, move.to) ? vm : undefined;
}

/** Starts every move that can run in this wave, in plan order; returns their indexes. */
function fillWave(state: WaveState, remaining: readonly number[], current: number): number[] {
  const slots = new WaveSlots(state.limits);
  const started: number[] = [];
  for (const index of remaining) {
    const vm = startable(state, index, current, slots);
    const move = state.moves[index];
    if (!vm || !move) continue;
    slots.take(move);
    state.placement.hold(vm, move.to);
    state.wave[index] = current;
    started.push(index);
  }
  return started;
}

/** `initial` is the placement before any planned move; it is cloned, not changed. */
export function scheduleMoves(
  model: ClusterModel,
  initial: Placement,
  moves: readonly MoveToSchedule[],
  limits: ScheduleLimits,
): Schedule {
  const state: WaveState = {
    model,
    moves,
    deps: dependencies(moves),
    wave: moves.map(() => -1),
    placement: initial.clone(),
    limits,
  };
  let remaining = moves.map((_, index) => index);
  let current = 0;
  let duration = 0;
  while (remaining.length > 0) {
    const started = fillWave(state, remaining, current);
    if (started.length === 0) {
      // Cannot happen for a plan the planner built move by move; refuse rather than overcommit.
      throw new Error(`cannot schedule ${remaining.length} planned moves without overcommitting a node`);
    }
    for (const index of started) {
      const move = moves[index];
      const vm = move && model.vms[move.vm];
      if (move && vm) state.placement.move(vm, move.to);
    }
    duration += Math.max(...started.map((index) => moves[index]?.durationSeconds ?? 0));
    remaining = remaining.filter((index) => (state.wave[index] ?? -1) < 0);
    current += 1;
  }
  return { wave: state.wave, dependsOn: state.deps, waves: current, estimatedDurationSeconds: duration };
}
