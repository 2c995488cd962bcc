/** Usage metrics for the controller: sources to poll, and the history that smooths what they return. */
export type { NodeSample, UsageSample, UsageSource, VmSample } from "./types.ts";
export {
  MetricsApiError,
  MetricsApiSource,
  VM_NAME_LABEL,
  vmiByNameLabel,
  type LauncherPodRef,
  type MetricsApiSourceOptions,
} from "./metrics-api-source.ts";
export {
  nodeOfSeries,
  PrometheusQueryError,
  PrometheusSource,
  type PrometheusQueries,
  type PrometheusQueryKey,
  type PrometheusSourceOptions,
} from "./prometheus-source.ts";
export { historySettingsOf, UsageHistory, type HistorySettings, type UsageHistoryOptions } from "./usage-history.ts";
export { usageSourceFor, type MetricsSettings, type UsageSourceOptions } from "./select-source.ts";
