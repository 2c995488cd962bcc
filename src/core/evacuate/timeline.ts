/**
 * The order an evacuation's migrations start in, and when it ends. Longest first (LPT list
 * scheduling, within 4/3 of the best makespan): each time a slot frees, the longest waiting move
 * whose source, target and the cluster all have a free slot starts, so a target whose inbound
 * slots are full is skipped and the targets interleave. The executor starts moves in this order as
 * KubeVirt frees slots, so the simulated makespan is the ETA.
 */
import type { EvacuationEstimate, TimedMove } from "./types.ts";

export interface MoveToTime {
  readonly vm: string;
  readonly from: string;
  readonly to: string;
  readonly seconds: number;
  readonly bytes: number;
}

export interface SlotLimits {
  readonly parallel: number;
  readonly outboundPerNode: number;
  readonly inboundPerNode: number;
}

class Slots {
  private readonly counts = new Map<string, number>();

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  add(key: string, delta: number): void {
    this.counts.set(key, this.count(key) + delta);
  }
}

function fits(slots: Slots, move: MoveToTime, limits: SlotLimits): boolean {
  return (
    slots.count("*") < limits.parallel &&
    slots.count(`out/${move.from}`) < limits.outboundPerNode &&
    slots.count(`in/${move.to}`) < limits.inboundPerNode
  );
}

function occupy(slots: Slots, move: MoveToTime, delta: 1 | -1): void {
  slots.add("*", delta);
  slots.add(`out/${move.from}`, delta);
  slots.add(`in/${move.to}`, delta);
}

function sumBy(moves: readonly MoveToTime[], key: (move: MoveToTime) => string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const move of moves) sums.set(key(move), (sums.get(key(move)) ?? 0) + move.seconds);
  return sums;
}

/** No schedule of these moves under these limits ends sooner. */
export function lowerBound(moves: readonly MoveToTime[], limits: SlotLimits): number {
  if (moves.length === 0) return 0;
  const bySource = sumBy(moves, (move) => move.from);
  const byTarget = sumBy(moves, (move) => move.to);
  const total = [...bySource.values()].reduce((sum, seconds) => sum + seconds, 0);
  const usable = Math.min(limits.parallel, limits.outboundPerNode * bySource.size);
  return Math.max(
    ...moves.map((move) => move.seconds),
    total / Math.max(1, usable),
    ...[...bySource.values()].map(
      (seconds) => seconds / Math.max(1, Math.min(limits.outboundPerNode, limits.parallel)),
    ),
    ...[...byTarget.values()].map((seconds) => seconds / Math.max(1, Math.min(limits.inboundPerNode, limits.parallel))),
  );
}

/** Longest first, ties by VM name, so the order is deterministic. */
function longestFirst(moves: readonly MoveToTime[]): MoveToTime[] {
  return [...moves].sort((a, b) => b.seconds - a.seconds || (a.vm < b.vm ? -1 : a.vm > b.vm ? 1 : 0));
}

/** Starts the waiting moves that fit now, in order; returns those started. */
function startFitting(waiting: MoveToTime[], slots: Slots, limits: SlotLimits): MoveToTime[] {
  const started: MoveToTime[] = [];
  for (let index = 0; index < waiting.length;) {
    const move = waiting[index];
    if (move && fits(slots, move, limits)) {
      occupy(slots, move, 1);
      started.push(move);
      waiting.splice(index, 1);
    } else index += 1;
  }
  return started;
}

/**
 * The timeline and its makespan (the ETA), each migration holding its slot for `setupSeconds` (the
 * target pod starting) before its copy; the lower bound counts the copies alone, as the issue's
 * limits-and-bandwidth bound does, so the gap between the two includes that setup.
 */
export function timeEvacuation(moves: readonly MoveToTime[], limits: SlotLimits, setupSeconds = 0): EvacuationEstimate {
  const waiting = longestFirst(moves);
  const slots = new Slots();
  const running: { move: MoveToTime; end: number }[] = [];
  const timeline: TimedMove[] = [];
  let now = 0;
  while (waiting.length > 0) {
    for (const move of startFitting(waiting, slots, limits)) {
      const end = now + setupSeconds + move.seconds;
      running.push({ move, end });
      timeline.push({ vm: move.vm, startSeconds: now, endSeconds: end });
    }
    // Limits of at least 1 always let the first waiting move start once everything has ended.
    running.sort((a, b) => a.end - b.end);
    const next = running.shift();
    if (!next) break;
    now = next.end;
    occupy(slots, next.move, -1);
    // Every move that ends at this instant frees its slots before the next start, or a shorter move
    // could take a slot the longer one needs once the second slot frees at the same instant.
    for (let ended = running[0]; ended?.end === now; ended = running[0]) {
      running.shift();
      occupy(slots, ended.move, -1);
    }
  }
  return {
    etaSeconds: timeline.reduce((end, timed) => Math.max(end, timed.endSeconds), 0),
    lowerBoundSeconds: lowerBound(moves, limits),
    limits,
    setupSeconds,
    bytes: moves.reduce((sum, move) => sum + move.bytes, 0),
    timeline,
  };
}
