/**
 * The PrometheusRule and the Grafana dashboard read only metrics the controller exports (the
 * list below, which must match what createControllerMetrics registers), plus `up`; the one
 * per-VM alert reads KubeVirt's own migration series, as KubeVirt's alert does. Every alert
 * says how bad it is and what it means.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createControllerMetrics } from "../../src/controller/observability/metrics.ts";
import { DEPLOY, deployFile } from "./manifests.ts";

/** The controller's metrics, by the type Prometheus sees. */
const CONTROLLER_METRICS: Record<string, "gauge" | "counter" | "histogram"> = {
  kubedrs_imbalance: "gauge",
  kubedrs_imbalance_target: "gauge",
  kubedrs_node_utilization: "gauge",
  kubedrs_migrations_total: "counter",
  kubedrs_migration_duration_seconds: "histogram",
  kubedrs_migrations_in_flight: "gauge",
  kubedrs_plan_duration_seconds: "histogram",
  kubedrs_passes_total: "counter",
  kubedrs_pending_recommendations: "gauge",
  kubedrs_policy_errors: "gauge",
  kubedrs_policy_reloads_total: "counter",
  kubedrs_leader: "gauge",
};

/** The series names a scrape holds: a histogram is its _bucket, _sum and _count. */
const SERIES = new Set([
  "up",
  ...Object.entries(CONTROLLER_METRICS).flatMap(([name, type]) =>
    type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
  ),
]);

/** kubedrs's metrics have no per-VM label (30,000 VMs would be 30,000 series); KubeVirt's do. */
const FOREIGN_BY_ALERT: Record<string, readonly string[]> = {
  KubedrsVMIFrequentMigrations: ["kubevirt_vmi_migration_succeeded"],
};

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "bool",
  "offset",
]);

/**
 * The metric names a PromQL expression reads. Simple on purpose: quoted strings, label matchers,
 * range selectors and grouping label lists go first; what is left that looks like a name and is
 * not a function call or a keyword is a metric.
 */
function metricNames(expression: string): string[] {
  const bare = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)]
    .filter((match) => match[2] === undefined && !KEYWORDS.has(match[1] ?? ""))
    .map((match) => match[1] ?? "");
  return [...new Set(names)].sort();
}

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

function rules(): Rule[] {
  const [rule] = deployFile("prometheus-rule.yaml");
  const groups = (rule?.spec as { groups: { rules: Rule[] }[] }).groups;
  return groups.flatMap((group) => group.rules);
}

function dashboardExpressions(): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(join(DEPLOY, "dashboards", "kubedrs.json"), "utf8")) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
  );
}

describe("metricNames", () => {
  it.each([
    ['absent(up{job="kubedrs"} == 1)', ["up"]],
    ['sum(rate(kubedrs_migrations_total{outcome="failed"}[15m])) > 0', ["kubedrs_migrations_total"]],
    ["max by (policy) (a > b) and on (instance) (c == 1)", ["a", "b", "c"]],
    ["histogram_quantile(0.95, sum by (le) (rate(x_bucket[$__rate_interval])))", ["x_bucket"]],
    ['label_replace(m, "vm", "$1", "vmi", "(.+)")', ["m"]],
    ["topk by (a, b) (1, max_over_time(k[1d])) >= 12", ["k"]],
  ])("reads %s", (expression, expected) => {
    expect(metricNames(expression)).toEqual(expected);
  });
});

describe("the controller's metrics", () => {
  it("are the ones createControllerMetrics registers", async () => {
    const registry = new Registry();
    createControllerMetrics(registry);
    const registered = (await registry.getMetricsAsJSON()).map((metric) => [metric.name, String(metric.type)]);
    expect(Object.fromEntries(registered)).toEqual(CONTROLLER_METRICS);
  });
});

describe("the PrometheusRule", () => {
  it("alerts on the controller down, no leader, failing migrations, rejected policies, lasting imbalance and busy VMs", () => {
    expect(rules().map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        "KubedrsDown",
        "KubedrsNoLeader",
        "KubedrsMigrationsFailing",
        "KubedrsPolicyRejected",
        "KubedrsImbalanceAboveTarget",
        "KubedrsVMIFrequentMigrations",
      ]),
    );
  });

  it.each(rules().map((rule) => [rule.alert ?? rule.record ?? "?", rule] as const))(
    "%s reads only known metrics",
    (name, rule) => {
      const allowed = new Set([...SERIES, ...(FOREIGN_BY_ALERT[name] ?? [])]);
      const names = metricNames(rule.expr);
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((metric) => !allowed.has(metric))).toEqual([]);
    },
  );

  it.each(rules().map((rule) => [rule.alert ?? "?", rule] as const))(
    "%s has a severity, a summary and a description",
    (_name, rule) => {
      expect(["critical", "warning", "info"]).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toMatch(/\w/);
      expect(rule.annotations?.description).toMatch(/\w/);
    },
  );

  it("warns of a busy VM well before KubeVirt's own alert at 12 migrations a day", () => {
    const rule = rules().find((entry) => entry.alert === "KubedrsVMIFrequentMigrations");
    const threshold = Number(/>=\s*(\d+)\s*$/.exec(rule?.expr ?? "")?.[1]);
    expect(threshold).toBeGreaterThan(2);
    expect(threshold).toBeLessThanOrEqual(6);
    expect(rule?.expr).toContain("[1d]");
  });

  it.each([
    ["KubedrsNoLeader", /^absent\(kubedrs_leader\{[^}]*\} == 1\)$/],
    ["KubedrsPolicyRejected", /kubedrs_policy_errors.*> 0/],
    ["KubedrsMigrationsFailing", /rate\(kubedrs_migrations_total\{[^}]*outcome="failed"[^}]*\}\[15m\]\)\) > 0/],
  ])("%s tests what its name says", (alert, pattern) => {
    expect(rules().find((rule) => rule.alert === alert)?.expr).toMatch(pattern);
  });
});

describe("the Grafana dashboard", () => {
  it.each(dashboardExpressions().map(({ panel, expr }) => [panel, expr] as const))(
    "panel %s reads only the controller's metrics",
    (_panel, expr) => {
      const names = metricNames(expr);
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((metric) => !SERIES.has(metric) || metric === "up")).toEqual([]);
    },
  );

  it("shows every metric the controller exports", () => {
    const shown = new Set(dashboardExpressions().flatMap(({ expr }) => metricNames(expr)));
    const missing = Object.entries(CONTROLLER_METRICS)
      .map(([name, type]) => (type === "histogram" ? `${name}_bucket` : name))
      .filter((name) => !shown.has(name));
    expect(missing).toEqual([]);
  });
});
