/**
 * Checks of an evacuation timeline written from the moves and limits alone, not through the
 * timeline's own slot counting, so a bug there cannot hide itself.
 */
import type { MoveToTime, SlotLimits } from "../../src/core/evacuate/timeline.ts";
import type { TimedMove } from "../../src/core/evacuate/types.ts";

/** Every move once, each lasting its own duration (plus the setup), started in order. */
function coverageProblem(
  moves: readonly MoveToTime[],
  timeline: readonly TimedMove[],
  setupSeconds: number,
): string | undefined {
  const byVm = new Map(moves.map((move) => [move.vm, move]));
  const seen = new Set<string>();
  let lastStart = Number.NEGATIVE_INFINITY;
  for (const timed of timeline) {
    const move = byVm.get(timed.vm);
    if (!move) return `${timed.vm} is timed but was not asked for`;
    if (seen.has(timed.vm)) return `${timed.vm} is timed twice`;
    seen.add(timed.vm);
    if (Math.abs(timed.endSeconds - timed.startSeconds - move.seconds - setupSeconds) > 1e-9)
      return `${timed.vm} runs ${timed.endSeconds - timed.startSeconds}s, not ${setupSeconds} + ${move.seconds}s`;
    if (timed.startSeconds < lastStart)
      return `${timed.vm} starts at ${timed.startSeconds}, before the move listed ahead of it`;
    lastStart = timed.startSeconds;
  }
  const missing = moves.find((move) => !seen.has(move.vm));
  return missing ? `${missing.vm} is never timed` : undefined;
}

function countBy(running: readonly MoveToTime[], key: (move: MoveToTime) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const move of running) counts.set(key(move), (counts.get(key(move)) ?? 0) + 1);
  return counts;
}

/** The first instant at which more moves run than a limit allows (a move holds its slots over [start, end)). */
function limitProblem(
  moves: readonly MoveToTime[],
  limits: SlotLimits,
  timeline: readonly TimedMove[],
): string | undefined {
  const byVm = new Map(moves.map((move) => [move.vm, move]));
  // Counts only rise when a move starts, so the starts are the instants to look at.
  for (const instant of new Set(timeline.map((timed) => timed.startSeconds))) {
    const running = timeline
      .filter((timed) => timed.startSeconds <= instant && instant < timed.endSeconds)
      .map((timed) => byVm.get(timed.vm))
      .filter((move): move is MoveToTime => move !== undefined);
    if (running.length > limits.parallel)
      return `${running.length} moves run at ${instant}s > parallel ${limits.parallel}`;
    for (const [node, count] of countBy(running, (move) => move.from))
      if (count > limits.outboundPerNode)
        return `${count} moves leave ${node} at ${instant}s > ${limits.outboundPerNode}`;
    for (const [node, count] of countBy(running, (move) => move.to))
      if (count > limits.inboundPerNode)
        return `${count} moves enter ${node} at ${instant}s > ${limits.inboundPerNode}`;
  }
  return undefined;
}

/** What is wrong with the timeline for these moves under these limits, or undefined. */
export function timelineProblem(
  moves: readonly MoveToTime[],
  limits: SlotLimits,
  timeline: readonly TimedMove[],
  setupSeconds = 0,
): string | undefined {
  return coverageProblem(moves, timeline, setupSeconds) ?? limitProblem(moves, limits, timeline);
}
