/** The table form of an evacuation plan (blockers first: they are what an admin must act on) and the --wait progress line. */
import type { EvacuationPlan } from "../../core/evacuate/types.ts";
import { formatBytes, formatDuration } from "../../core/model/quantity.ts";
import type { EvacuationStatus } from "../../controller/maintenance/evacuation-status.ts";
import { table } from "../output.ts";

export function evacuationHeadline(plan: EvacuationPlan): string {
  const { estimate } = plan;
  return (
    `evacuate ${plan.nodes.join(", ")}  ${plan.moves.length} VM(s) to migrate, ${formatBytes(estimate.bytes)} to copy  ` +
    `ETA ${formatDuration(estimate.etaSeconds)} (lower bound ${formatDuration(estimate.lowerBoundSeconds)}; ` +
    `${estimate.limits.parallel} at once, ${estimate.limits.outboundPerNode} per source node)  ` +
    `${plan.blockers.length} cannot live-migrate  imbalance of the rest ${plan.imbalanceBefore.toFixed(3)} → ${plan.imbalanceAfter.toFixed(3)}`
  );
}

export function evacuationTable(plan: EvacuationPlan): string {
  const sections = [evacuationHeadline(plan)];
  if (plan.blockers.length > 0) {
    sections.push(
      table(
        ["vm", "action", "decided by", "why it cannot live-migrate"],
        plan.blockers.map((blocker) => [
          blocker.vm,
          blocker.action,
          blocker.decidedBy,
          blocker.reasons.map((reason) => `${reason.plugin}: ${reason.reason}`).join("; "),
        ]),
      ),
    );
  }
  const timing = new Map(plan.estimate.timeline.map((timed) => [timed.vm, timed]));
  if (plan.moves.length > 0) {
    sections.push(
      table(
        ["#", "vm", "to", "copy", "starts", "ends", "why there"],
        plan.moves.map((move, index) => [
          index + 1,
          move.vm,
          move.to,
          formatBytes(move.cost.bytes),
          `+${formatDuration(timing.get(move.vm)?.startSeconds ?? 0)}`,
          `+${formatDuration(timing.get(move.vm)?.endSeconds ?? 0)}`,
          move.reasons[1] ?? "",
        ]),
      ),
    );
  }
  if (plan.inFlight.length > 0) sections.push(`already migrating: ${plan.inFlight.join(", ")}`);
  return `${sections.join("\n\n")}\n`;
}

const BAR_WIDTH = 30;

/** "[##########----------]  12/40 moved  2 in flight  ETA 3m10s  Evacuating" */
export function progressLine(status: EvacuationStatus): string {
  const total = status.vms.length;
  const moved = total - status.remaining;
  const filled = total === 0 ? BAR_WIDTH : Math.round((BAR_WIDTH * moved) / total);
  const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
  // The ETA is for the moves not started yet; once all have started, the last are finishing.
  const eta =
    status.phase !== "Evacuating"
      ? ""
      : status.etaSeconds > 0
        ? `  ETA ${formatDuration(status.etaSeconds)}`
        : "  finishing";
  return `${bar}  ${moved}/${total} moved  ${status.inFlight} in flight${eta}  ${status.phase}`;
}
