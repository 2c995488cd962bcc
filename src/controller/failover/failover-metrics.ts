/** Host-failure metrics: how long VMs took to run again after their host was declared failed, and the storm guard. */
import { Gauge, Histogram, type Registry } from "prom-client";
import { METRIC_PREFIX } from "../observability/metrics.ts";

export interface FailoverMetrics {
  /** Seconds from a node declared failed to one of its VMs Running elsewhere. */
  vmRestarted(seconds: number): void;
  setHeld(held: boolean): void;
  /** Host failures the protected VMs can absorb, and how many the policies want absorbed. */
  setReserve(tolerated: number, wanted: number): void;
}

export const NO_FAILOVER_METRICS: FailoverMetrics = {
  vmRestarted: () => undefined,
  setHeld: () => undefined,
  setReserve: () => undefined,
};

/** Fenced restarts aim at a minute; unfenced waits are what this is here to show. */
const RESTART_BUCKETS = [15, 30, 45, 60, 90, 120, 180, 300, 600];

export function createFailoverMetrics(registry: Registry): FailoverMetrics {
  const restart = new Histogram({
    name: `${METRIC_PREFIX}time_to_restart_seconds`,
    help: "Seconds from a host declared failed to each of its VMs Running on another node",
    buckets: RESTART_BUCKETS,
    registers: [registry],
  });
  const held = new Gauge({
    name: `${METRIC_PREFIX}failover_held`,
    help: "1 while the storm guard holds all fencing (too many nodes look failed at once, or a partition)",
    registers: [registry],
  });
  const reserve = new Gauge({
    name: `${METRIC_PREFIX}failover_host_failures_tolerated`,
    help: "Host failures the protected VMs can absorb (capacity to restart them elsewhere), and how many the FailoverPolicies want",
    labelNames: ["kind"],
    registers: [registry],
  });
  return {
    setReserve: (tolerated, wanted) => {
      reserve.set({ kind: "tolerated" }, tolerated);
      reserve.set({ kind: "wanted" }, wanted);
    },
    vmRestarted: (seconds) => restart.observe(Math.max(0, seconds)),
    setHeld: (isHeld) => held.set(isHeld ? 1 : 0),
  };
}
