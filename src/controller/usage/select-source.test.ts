import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { balancePolicySpec } from "../../core/policy/kinds/balance-policy.ts";
import { MetricsApiSource } from "./metrics-api-source.ts";
import { PrometheusSource } from "./prometheus-source.ts";
import { usageSourceFor } from "./select-source.ts";

function kubeconfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "c", server: "https://127.0.0.1:6443" }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "c", cluster: "c", user: "u" }],
    currentContext: "c",
  });
  return config;
}

function metricsOf(metrics: Record<string, unknown>): ReturnType<typeof balancePolicySpec.parse>["metrics"] {
  return balancePolicySpec.parse({ metrics }).metrics;
}

const URL_SET = { url: "http://prometheus.monitoring:9090" };

describe("usageSourceFor", () => {
  it.each([
    {
      name: "Auto with a Prometheus URL",
      metrics: { prometheus: URL_SET },
      kind: "Prometheus",
      type: PrometheusSource,
    },
    { name: "Auto without one", metrics: {}, kind: "MetricsAPI", type: MetricsApiSource },
    {
      name: "MetricsAPI even with a URL",
      metrics: { source: "MetricsAPI", prometheus: URL_SET },
      kind: "MetricsAPI",
      type: MetricsApiSource,
    },
    {
      name: "Prometheus with a URL",
      metrics: { source: "Prometheus", prometheus: URL_SET },
      kind: "Prometheus",
      type: PrometheusSource,
    },
  ])("picks $kind for $name", ({ metrics, kind, type }) => {
    const source = usageSourceFor(metricsOf(metrics), kubeconfig());
    expect(source.kind).toBe(kind);
    expect(source).toBeInstanceOf(type);
  });

  it("refuses Prometheus without a URL, naming the field to set", () => {
    expect(() => usageSourceFor(metricsOf({ source: "Prometheus" }), kubeconfig())).toThrow(
      /spec\.metrics\.prometheus\.url is not set/,
    );
  });

  it("queries Prometheus with the policy's queries, through the fetch it is given", async () => {
    const asked: string[] = [];
    const fetchStub: typeof fetch = (input) => {
      asked.push(new URL(input instanceof Request ? input.url : input.toString()).searchParams.get("query") ?? "");
      return Promise.resolve(Response.json({ status: "success", data: { resultType: "vector", result: [] } }));
    };
    const metrics = metricsOf({ prometheus: { ...URL_SET, queries: { vmCpu: "my_vm_cpu", nodeMemory: "" } } });
    await usageSourceFor(metrics, kubeconfig(), { fetch: fetchStub }).sample(0);
    expect(asked).toHaveLength(6);
    expect(asked).toContain("my_vm_cpu");
    expect(asked).toContain(metrics.prometheus.queries.nodeCpu);
  });
});
