/** The table form of `explain`: the VM, whether and at what cost it can move, and every node's verdict. */
import type { VmExplanation } from "../../core/balance/explain.ts";
import { formatBytes, formatDuration } from "../../core/model/quantity.ts";
import { table } from "../output.ts";

function terms(verdict: VmExplanation["nodes"][number]): string {
  if (!verdict.fits)
    return verdict.rejections.map((rejection) => `${rejection.plugin}: ${rejection.reason}`).join("; ");
  return (verdict.score?.terms ?? [])
    .map((term) => `${term.plugin} ${Math.round(term.score)}×${term.weight}`)
    .join(", ");
}

export function explainTable(explanation: VmExplanation): string {
  const { cost } = explanation;
  const lines = [
    `VM ${explanation.vm} on ${explanation.node} (BalancePolicy ${explanation.policy})`,
    explanation.movable
      ? "movable: yes"
      : `movable: no — ${explanation.blockers.map((b) => `${b.plugin}: ${b.reason}`).join("; ")}`,
    `migration: copies ${formatBytes(cost.bytes)} in ~${formatDuration(cost.durationSeconds)}, downtime ~${Math.round(cost.downtimeMs)}ms at ${formatBytes(cost.bandwidth)}/s (${cost.summary}); profile ${cost.profile ?? "-"}, MigrationPolicy ${cost.migrationPolicy ?? "-"}`,
    explanation.planned
      ? `planned: move to ${explanation.planned.to} in wave ${explanation.planned.wave} — ${explanation.planned.reasons.join("; ")}`
      : "planned: no move",
  ];
  const rows = explanation.nodes.map((verdict) => [
    verdict.node,
    verdict.fits ? "yes" : "no",
    verdict.score ? verdict.score.total.toFixed(1) : "-",
    verdict.gainPoints === undefined ? "-" : verdict.gainPoints.toFixed(1),
    verdict.imbalanceAfter === undefined ? "-" : verdict.imbalanceAfter.toFixed(3),
    terms(verdict),
  ]);
  return `${lines.join("\n")}\n\n${table(["node", "fits", "score", "gain", "imbalance after", "why not / score terms"], rows)}`;
}
