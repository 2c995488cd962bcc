/**
 * Picks the usage source a BalancePolicy's `spec.metrics` asks for. Auto prefers Prometheus when a URL
 * is set, because only Prometheus has pressure, dirty rate and vCPU delay; metrics.k8s.io is there in
 * almost every cluster, so it is the fallback.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { BalancePolicySpec } from "../../core/policy/kinds/balance-policy.ts";
import { type PolicySet, primaryBalancePolicy } from "../../core/policy/policy-set.ts";
import { MetricsApiSource, type MetricsApiSourceOptions } from "./metrics-api-source.ts";
import { PrometheusSource } from "./prometheus-source.ts";
import type { UsageSource } from "./types.ts";

export type MetricsSettings = Pick<BalancePolicySpec["metrics"], "source" | "prometheus">;

/**
 * Usage is sampled once for the whole cluster, so one BalancePolicy's metrics settings rule: the
 * first by name, or the defaults when there is none.
 */
export function clusterMetricsSettings(policies: PolicySet): BalancePolicySpec["metrics"] {
  return primaryBalancePolicy(policies).spec.metrics;
}

export interface UsageSourceOptions extends MetricsApiSourceOptions {
  /** For PrometheusSource (tests, proxies); the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

export function usageSourceFor(
  settings: MetricsSettings,
  kubeconfig: KubeConfig,
  options: UsageSourceOptions = {},
): UsageSource {
  const url = settings.prometheus.url;
  const wantsPrometheus = settings.source === "Prometheus" || (settings.source === "Auto" && url !== undefined);
  if (!wantsPrometheus) return new MetricsApiSource(kubeconfig, options.vmiOf ? { vmiOf: options.vmiOf } : {});
  if (url === undefined) {
    throw new Error(
      "spec.metrics.source is Prometheus but spec.metrics.prometheus.url is not set: set the URL, or use Auto or MetricsAPI",
    );
  }
  return new PrometheusSource({
    url,
    queries: settings.prometheus.queries,
    ...(options.fetch && { fetch: options.fetch }),
  });
}
