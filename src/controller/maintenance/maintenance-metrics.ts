/** Evacuation metrics: per node in maintenance, VMs still to leave, blocked, in flight, the ETA, and readiness. */
import { Counter, Gauge, type Registry } from "prom-client";
import { METRIC_PREFIX } from "../observability/metrics.ts";

export interface EvacuationFigures {
  readonly remaining: number;
  readonly inFlight: number;
  readonly blocked: number;
  readonly etaSeconds: number;
  readonly ready: boolean;
}

export interface MaintenanceMetrics {
  setEvacuation(node: string, figures: EvacuationFigures): void;
  /** Drops the series of every node not in `present` (its maintenance ended). */
  keepOnly(present: Iterable<string>): void;
  proactiveEvacuation(): void;
}

export const NO_MAINTENANCE_METRICS: MaintenanceMetrics = {
  setEvacuation: () => undefined,
  keepOnly: () => undefined,
  proactiveEvacuation: () => undefined,
};

export function createMaintenanceMetrics(registry: Registry): MaintenanceMetrics {
  const vms = new Gauge({
    name: `${METRIC_PREFIX}evacuation_vms`,
    help: "VMs on a node in maintenance, by state: remaining (to migrate), in_flight, blocked",
    labelNames: ["node", "state"],
    registers: [registry],
  });
  const eta = new Gauge({
    name: `${METRIC_PREFIX}evacuation_eta_seconds`,
    help: "Estimated seconds until the node's evacuation completes",
    labelNames: ["node"],
    registers: [registry],
  });
  const ready = new Gauge({
    name: `${METRIC_PREFIX}node_ready_for_maintenance`,
    help: "1 when the node in maintenance has been evacuated and nothing blocks its maintenance",
    labelNames: ["node"],
    registers: [registry],
  });
  const proactive = new Counter({
    name: `${METRIC_PREFIX}proactive_evacuations_total`,
    help: "Evacuations started because a node reported degraded hardware",
    registers: [registry],
  });
  const nodes = new Set<string>();
  return {
    setEvacuation(node, figures) {
      nodes.add(node);
      vms.set({ node, state: "remaining" }, figures.remaining);
      vms.set({ node, state: "in_flight" }, figures.inFlight);
      vms.set({ node, state: "blocked" }, figures.blocked);
      eta.set({ node }, figures.etaSeconds);
      ready.set({ node }, figures.ready ? 1 : 0);
    },
    keepOnly(present) {
      const keep = new Set(present);
      for (const node of [...nodes].filter((name) => !keep.has(name))) {
        for (const state of ["remaining", "in_flight", "blocked"]) vms.remove({ node, state });
        eta.remove({ node });
        ready.remove({ node });
        nodes.delete(node);
      }
    },
    proactiveEvacuation() {
      proactive.inc();
    },
  };
}
