/**
 * Proactive HA in the shell: asks core/evacuate/proactive which degraded nodes to evacuate now, and
 * starts each by setting kubedrs.io/maintenance (and kubedrs.io/proactive-at, the rate limits'
 * memory, which survives a restart of kubedrs because it lives on the node).
 */
import type { Logger } from "pino";
import { proactiveEvacuations } from "../../core/evacuate/proactive.ts";
import type { ClusterModel } from "../../core/model/cluster.ts";
import { KUBEDRS } from "../../core/model/kubedrs-labels.ts";
import type { PolicySet } from "../../core/policy/policy-set.ts";
import type { EventRecorder } from "../executor/event-recorder.ts";
import type { MaintenanceMetrics } from "./maintenance-metrics.ts";
import { iso, nodeTarget, type NodeWrites } from "./node-writes.ts";

export interface ProactiveDeps {
  readonly nodes: NodeWrites;
  readonly events: EventRecorder;
  readonly log: Logger;
  readonly metrics: MaintenanceMetrics;
}

export class ProactiveTrigger {
  private readonly deps: ProactiveDeps;
  /** Held nodes already logged, by node and condition, so a held node is logged once. */
  private readonly logged = new Set<string>();

  constructor(deps: ProactiveDeps) {
    this.deps = deps;
  }

  async run(model: ClusterModel, policies: PolicySet, now: number): Promise<void> {
    const history = model.nodes.flatMap((node) => {
      const at = Date.parse(node.annotations[KUBEDRS.proactiveAt] ?? "");
      return Number.isNaN(at) ? [] : [{ node: node.name, at }];
    });
    const decision = proactiveEvacuations(model, policies, now, history);
    for (const { node, reason } of decision.held) {
      const key = `${node}/${reason.split(",")[0] ?? ""}`;
      if (this.logged.has(key)) continue;
      this.logged.add(key);
      this.deps.log.warn({ node }, `proactive evacuation held: ${reason}`);
    }
    for (const { node, reason } of decision.start) {
      await this.deps.nodes.annotate(node, { [KUBEDRS.maintenance]: reason, [KUBEDRS.proactiveAt]: iso(now) });
      await this.deps.events.record(nodeTarget(node), "Warning", "ProactiveEvacuation", reason);
      this.deps.metrics.proactiveEvacuation();
      this.deps.log.warn({ node }, `proactive evacuation: ${reason}`);
    }
  }
}
