/** The controller's metrics, read back through the registry they were given, as Prometheus would scrape them. */
import { Registry, register as globalRegistry } from "prom-client";
import { describe, expect, it } from "vitest";
import { type ControllerMetrics, createControllerMetrics } from "./metrics.ts";

function setup(): { registry: Registry; metrics: ControllerMetrics } {
  const registry = new Registry();
  return { registry, metrics: createControllerMetrics(registry) };
}

/** The sample lines of one metric (no HELP/TYPE), as exposed. */
async function samples(registry: Registry, name: string): Promise<string[]> {
  const text = await registry.getSingleMetricAsString(name);
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
}

describe("createControllerMetrics", () => {
  it("registers every metric, prefixed kubedrs_, in the given registry and not the global one", async () => {
    const { registry } = setup();
    const names = (await registry.getMetricsAsJSON()).map((metric) => metric.name).sort();

    expect(names).toEqual([
      "kubedrs_imbalance",
      "kubedrs_imbalance_target",
      "kubedrs_leader",
      "kubedrs_migration_duration_seconds",
      "kubedrs_migrations_in_flight",
      "kubedrs_migrations_total",
      "kubedrs_node_utilization",
      "kubedrs_passes_total",
      "kubedrs_pending_recommendations",
      "kubedrs_plan_duration_seconds",
      "kubedrs_policy_errors",
      "kubedrs_policy_reloads_total",
    ]);
    expect(globalRegistry.getSingleMetric("kubedrs_leader")).toBeUndefined();
  });

  it("can be created once per registry, any number of times", () => {
    expect(() => [setup(), setup()]).not.toThrow();
  });

  it("starts every counter at zero for every known label combination", async () => {
    const { registry } = setup();

    expect(await samples(registry, "kubedrs_migrations_total")).toHaveLength(15);
    expect(await samples(registry, "kubedrs_migrations_total")).toContain(
      'kubedrs_migrations_total{outcome="misplaced",reason="evacuate"} 0',
    );
    expect(await samples(registry, "kubedrs_passes_total")).toEqual([
      'kubedrs_passes_total{result="planned"} 0',
      'kubedrs_passes_total{result="skipped"} 0',
      'kubedrs_passes_total{result="failed"} 0',
    ]);
    expect(await samples(registry, "kubedrs_policy_reloads_total")).toEqual([
      'kubedrs_policy_reloads_total{result="accepted"} 0',
      'kubedrs_policy_reloads_total{result="rejected"} 0',
    ]);
  });

  it.each([
    {
      name: "imbalance and its target",
      record: (m: ControllerMetrics) => m.setImbalance("default", 0.21, 0.1),
      metric: "kubedrs_imbalance_target",
      expected: ['kubedrs_imbalance_target{policy="default"} 0.1'],
    },
    {
      name: "node utilization, one series per resource",
      record: (m: ControllerMetrics) => m.setNodeUtilization("node-1", 0.5, 0.75),
      metric: "kubedrs_node_utilization",
      expected: [
        'kubedrs_node_utilization{node="node-1",resource="cpu"} 0.5',
        'kubedrs_node_utilization{node="node-1",resource="memory"} 0.75',
      ],
    },
    {
      name: "migrations in flight",
      record: (m: ControllerMetrics) => m.setMigrationsInFlight(3),
      metric: "kubedrs_migrations_in_flight",
      expected: ["kubedrs_migrations_in_flight 3"],
    },
    {
      name: "a pass",
      record: (m: ControllerMetrics) => {
        m.passFinished("skipped");
        m.passFinished("skipped");
      },
      metric: "kubedrs_passes_total",
      expected: [
        'kubedrs_passes_total{result="planned"} 0',
        'kubedrs_passes_total{result="skipped"} 2',
        'kubedrs_passes_total{result="failed"} 0',
      ],
    },
    {
      name: "pending recommendations",
      record: (m: ControllerMetrics) => m.setPendingRecommendations("default", 4),
      metric: "kubedrs_pending_recommendations",
      expected: ['kubedrs_pending_recommendations{policy="default"} 4'],
    },
    {
      name: "leadership",
      record: (m: ControllerMetrics) => m.setLeader(true),
      metric: "kubedrs_leader",
      expected: ["kubedrs_leader 1"],
    },
    {
      name: "losing leadership",
      record: (m: ControllerMetrics) => {
        m.setLeader(true);
        m.setLeader(false);
      },
      metric: "kubedrs_leader",
      expected: ["kubedrs_leader 0"],
    },
    {
      name: "a rejected policy load",
      record: (m: ControllerMetrics) => m.policyRejected(3),
      metric: "kubedrs_policy_errors",
      expected: ["kubedrs_policy_errors 3"],
    },
    {
      name: "a good load after a rejected one",
      record: (m: ControllerMetrics) => {
        m.policyRejected(3);
        m.policyAccepted();
      },
      metric: "kubedrs_policy_errors",
      expected: ["kubedrs_policy_errors 0"],
    },
    {
      name: "not a number, which is dropped",
      record: (m: ControllerMetrics) => m.setNodeUtilization("node-1", Number.NaN, 0.25),
      metric: "kubedrs_node_utilization",
      expected: ['kubedrs_node_utilization{node="node-1",resource="memory"} 0.25'],
    },
  ])("records $name", async ({ record, metric, expected }) => {
    const { registry, metrics } = setup();
    record(metrics);
    expect(await samples(registry, metric)).toEqual(expected);
  });

  it("counts policy loads by result", async () => {
    const { registry, metrics } = setup();
    metrics.policyRejected(1);
    metrics.policyAccepted();
    metrics.policyAccepted();

    expect(await samples(registry, "kubedrs_policy_reloads_total")).toEqual([
      'kubedrs_policy_reloads_total{result="accepted"} 2',
      'kubedrs_policy_reloads_total{result="rejected"} 1',
    ]);
  });
});

describe("migrationFinished", () => {
  it("counts the migration by outcome and reason and times it by outcome", async () => {
    const { registry, metrics } = setup();
    metrics.migrationFinished("succeeded", "balance", 45);
    metrics.migrationFinished("succeeded", "evacuate", 700);
    metrics.migrationFinished("failed", "rule", 12);
    const durations = await samples(registry, "kubedrs_migration_duration_seconds");

    expect(await samples(registry, "kubedrs_migrations_total")).toEqual(
      expect.arrayContaining([
        'kubedrs_migrations_total{outcome="succeeded",reason="balance"} 1',
        'kubedrs_migrations_total{outcome="succeeded",reason="evacuate"} 1',
        'kubedrs_migrations_total{outcome="failed",reason="rule"} 1',
        'kubedrs_migrations_total{outcome="failed",reason="balance"} 0',
      ]),
    );
    expect(durations).toEqual(
      expect.arrayContaining([
        'kubedrs_migration_duration_seconds_bucket{le="30",outcome="succeeded"} 0',
        'kubedrs_migration_duration_seconds_bucket{le="60",outcome="succeeded"} 1',
        'kubedrs_migration_duration_seconds_bucket{le="900",outcome="succeeded"} 2',
        'kubedrs_migration_duration_seconds_bucket{le="+Inf",outcome="succeeded"} 2',
        'kubedrs_migration_duration_seconds_sum{outcome="succeeded"} 745',
        'kubedrs_migration_duration_seconds_bucket{le="20",outcome="failed"} 1',
      ]),
    );
  });

  it("buckets migrations from 5 s to 30 min and plans from 1 ms to 10 s", async () => {
    const { registry, metrics } = setup();
    metrics.migrationFinished("aborted", "balance", 1);
    metrics.observePlanDuration(0.004);
    const bounds = async (name: string) =>
      (await samples(registry, name))
        .map((line) => /le="([^"]+)"/.exec(line)?.[1])
        .filter((bound) => bound !== undefined && bound !== "+Inf")
        .map(Number);

    expect(await bounds("kubedrs_migration_duration_seconds")).toEqual([
      5, 10, 20, 30, 60, 120, 300, 600, 900, 1200, 1800,
    ]);
    expect(await bounds("kubedrs_plan_duration_seconds")).toEqual([
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]);
    expect(await samples(registry, "kubedrs_plan_duration_seconds")).toContain(
      'kubedrs_plan_duration_seconds_bucket{le="0.005"} 1',
    );
  });

  it("counts a migration whose duration is unknown, without timing it", async () => {
    const { registry, metrics } = setup();
    metrics.migrationFinished("cancelled", "rule", Number.NaN);

    expect(await samples(registry, "kubedrs_migrations_total")).toContain(
      'kubedrs_migrations_total{outcome="cancelled",reason="rule"} 1',
    );
    expect(await samples(registry, "kubedrs_migration_duration_seconds")).toEqual([]);
  });
});

describe("resetting series of things that are gone", () => {
  it("drops the utilization of nodes no longer present and keeps the rest", async () => {
    const { registry, metrics } = setup();
    for (const node of ["node-1", "node-2", "node-3"]) metrics.setNodeUtilization(node, 0.1, 0.2);
    metrics.resetNodeUtilization(["node-2"]);
    const nodes = (await samples(registry, "kubedrs_node_utilization")).map((line) => /node="([^"]+)"/.exec(line)?.[1]);

    expect(nodes).toEqual(["node-2", "node-2"]);
  });

  it("brings a node back when it reports again", async () => {
    const { registry, metrics } = setup();
    metrics.setNodeUtilization("node-1", 0.1, 0.2);
    metrics.resetNodeUtilization([]);
    metrics.setNodeUtilization("node-1", 0.3, 0.4);

    expect(await samples(registry, "kubedrs_node_utilization")).toEqual([
      'kubedrs_node_utilization{node="node-1",resource="cpu"} 0.3',
      'kubedrs_node_utilization{node="node-1",resource="memory"} 0.4',
    ]);
  });

  it("drops the imbalance and pending moves of policies no longer present", async () => {
    const { registry, metrics } = setup();
    metrics.setImbalance("old", 0.3, 0.1);
    metrics.setPendingRecommendations("old", 2);
    metrics.setImbalance("kept", 0.2, 0.1);
    metrics.resetPolicies(new Set(["kept"]));

    expect(await samples(registry, "kubedrs_imbalance")).toEqual(['kubedrs_imbalance{policy="kept"} 0.2']);
    expect(await samples(registry, "kubedrs_imbalance_target")).toEqual([
      'kubedrs_imbalance_target{policy="kept"} 0.1',
    ]);
    expect(await samples(registry, "kubedrs_pending_recommendations")).toEqual([]);
  });
});
