/** The table form of a plan: a headline, the domains, the moves, and what could not move. */
import type { Plan } from "../../core/balance/plan-types.ts";
import { formatBytes, formatDuration } from "../../core/model/quantity.ts";
import { table } from "../output.ts";

function fixed(value: number, digits = 3): string {
  return value.toFixed(digits);
}

export function planHeadline(plan: Plan): string {
  const duration = plan.moves.length
    ? `  ~${formatDuration(plan.estimatedDurationSeconds)} in ${plan.waves} wave(s)  ${formatBytes(plan.bytesToMove)} to copy`
    : "";
  return `${plan.metadata.name}  snapshot ${plan.metadata.snapshot}  imbalance ${fixed(plan.imbalanceBefore)} → ${fixed(plan.imbalanceAfter)}  ${plan.moves.length} move(s)${duration}`;
}

export function planTable(plan: Plan): string {
  const sections = [planHeadline(plan)];
  sections.push(
    table(
      ["policy", "automation", "level", "nodes", "imbalance", "goal", "outcome"],
      plan.domains.map((domain) => [
        domain.policy,
        domain.automation,
        domain.aggressiveness,
        domain.nodes,
        `${fixed(domain.imbalanceBefore)} → ${fixed(domain.imbalanceAfter)}`,
        domain.goalImbalance === null ? "—" : fixed(domain.goalImbalance),
        domain.outcome,
      ]),
    ),
  );
  if (plan.moves.length > 0) {
    sections.push(
      table(
        ["#", "vm", "from", "to", "wave", "gain", "cost", "copy", "why"],
        plan.moves.map((move, index) => [
          index + 1,
          move.vm,
          move.from,
          move.to,
          move.wave,
          move.gain.points.toFixed(1),
          move.cost.points.toFixed(1),
          formatBytes(move.cost.bytes),
          move.reasons[0] ?? "",
        ]),
      ),
    );
  }
  if (plan.blocked.length > 0) {
    sections.push(
      table(
        ["held by", "vms", "example"],
        plan.blocked.map((entry) => [
          entry.plugin,
          entry.count,
          entry.examples[0] ? `${entry.examples[0].vm}: ${entry.examples[0].reason}` : "",
        ]),
      ),
    );
  }
  for (const warning of plan.warnings) sections.push(`warning: ${warning}`);
  return sections.join("\n\n");
}
