/** Usage summaries for the planning core: smoothing measured samples and putting them into a snapshot. */
export {
  summarize,
  summarizeColumns,
  type SmoothingMethod,
  type SummarySettings,
  type UsageColumns,
  type UsagePoint,
} from "./summarize.ts";
export type { NodeUsageSummaries, UsageSummaries, VmUsageSummaries } from "./summaries.ts";
export { withUsage } from "./with-usage.ts";
