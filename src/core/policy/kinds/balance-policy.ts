/**
 * BalancePolicy: how kubedrs balances a pool of nodes, like a vSphere DRS cluster's settings.
 * `aggressiveness` plays the DRS migration-threshold slider (see core/balance/thresholds.ts).
 */
import { z } from "zod";
import { duration, labelSelector } from "../../schema/fields.ts";
import { cronExpression, dateWindow, timeZone, weeklyWindow } from "./common.ts";

const prometheusQueries = z
  .strictObject({
    nodeCpu: z.string().default('sum by (node) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))'),
    nodeMemory: z.string().default("sum by (node) (node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes)"),
    nodeCpuPressure: z.string().default("sum by (node) (rate(node_pressure_cpu_waiting_seconds_total[5m]))"),
    vmCpu: z.string().default("sum by (namespace, name) (rate(kubevirt_vmi_cpu_usage_seconds_total[5m]))"),
    vmMemory: z.string().default("sum by (namespace, name) (kubevirt_vmi_memory_resident_bytes)"),
    vmDirtyRate: z.string().default("sum by (namespace, name) (kubevirt_vmi_dirty_rate_bytes_per_second)"),
    vmVcpuDelay: z.string().default("sum by (namespace, name) (rate(kubevirt_vmi_vcpu_delay_seconds_total[5m]))"),
  })
  .meta({ description: "PromQL per signal; defaults use KubeVirt and node-exporter metric names." });

const metrics = z.strictObject({
  source: z.enum(["Auto", "Prometheus", "MetricsAPI"]).default("Auto").meta({
    description: "Where usage comes from. Auto uses Prometheus when a URL is set, else metrics.k8s.io.",
  }),
  window: duration.default(600).meta({ description: "How much history the usage summaries cover." }),
  smoothing: z
    .strictObject({
      method: z.enum(["EWMA", "Mean"]).default("EWMA"),
      halfLife: duration.default(300),
    })
    .prefault({}),
  prometheus: z
    .strictObject({
      url: z.url().optional(),
      queries: prometheusQueries.prefault({}),
    })
    .prefault({}),
});

const utilization = z.strictObject({
  statistic: z
    .enum(["mean", "p95", "max"])
    .default("mean")
    .meta({ description: "Which usage summary the imbalance is measured on." }),
  headroomStatistic: z
    .enum(["mean", "p95", "max"])
    .default("p95")
    .meta({ description: "Which usage summary the ceilings are checked on." }),
  maxCpu: z.number().gt(0).max(1).default(0.85).meta({
    description: "A target node must stay below this CPU utilization after a move; nodes above it are hot spots.",
  }),
  maxMemory: z.number().gt(0).max(1).default(0.9),
});

const schedule = z.strictObject({
  cron: cronExpression.default("*/5 * * * *").meta({ description: "When balance passes run (node-cron syntax)." }),
  timeZone,
  allowedWindows: z
    .array(weeklyWindow)
    .default([])
    .meta({ description: "Moves start only inside these windows; empty means any time." }),
  freezeWindows: z
    .array(z.union([dateWindow, weeklyWindow]))
    .default([])
    .meta({ description: "No move starts inside these windows." }),
});

const limits = z.strictObject({
  maxMovesPerPass: z.number().int().min(0).default(10),
  maxParallelMigrations: z
    .number()
    .int()
    .min(1)
    .default(5)
    .meta({ description: "Capped by KubeVirt's parallelMigrationsPerCluster." }),
  maxOutboundPerNode: z
    .number()
    .int()
    .min(1)
    .default(2)
    .meta({ description: "Capped by KubeVirt's parallelOutboundMigrationsPerNode." }),
  maxInboundPerNode: z.number().int().min(1).default(2),
});

const antiThrash = z.strictObject({
  cooldown: duration
    .default(3600)
    .meta({ description: "After a VM moves it stays put at least this long; doubled per further move in a day." }),
  cooldownBackoff: z.number().min(1).default(2),
  maxCooldown: duration.default(86400),
  maxMigrationsPerVmPerDay: z.number().int().min(0).max(11).default(2).meta({
    description:
      "Per-VM budget over any 24 hours, kept well under KubeVirt's KubeVirtVMIExcessiveMigrations alert (12).",
  }),
  pingPongWindow: duration
    .default(21600)
    .meta({ description: "A VM never moves back to a node it left within this window." }),
});

const tuning = z
  .strictObject({
    targetImbalance: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .meta({ description: "Overrides the imbalance threshold that `aggressiveness` sets." }),
    minGain: z
      .number()
      .min(0)
      .optional()
      .meta({ description: "Overrides the minimum balance gain per move (in balance points)." }),
    costPerGiB: z
      .number()
      .min(0)
      .optional()
      .meta({ description: "Overrides the cost charged per GiB a move copies (in balance points)." }),
  })
  .meta({ description: "Expert overrides of what `aggressiveness` sets." });

export const scoreWeights = z.record(z.string(), z.number().min(0).max(100)).default({}).meta({
  description: "Weight per score plugin by name; 0 disables a score. Unset plugins keep their default weight.",
});

export const balancePolicySpec = z.strictObject({
  automation: z.enum(["Off", "Recommend", "Automatic"]).default("Recommend").meta({
    description: "Off: no balancing. Recommend: publish the plan only. Automatic: migrate.",
  }),
  aggressiveness: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(3)
    .meta({ description: "1 (conservative) to 5 (aggressive), like the DRS migration threshold." }),
  nodeSelector: labelSelector.prefault({}).meta({ description: "The nodes this policy balances." }),
  resources: z
    .strictObject({ cpu: z.number().min(0).default(1), memory: z.number().min(0).default(1) })
    .prefault({})
    .refine((weights) => weights.cpu + weights.memory > 0, { message: "at least one resource needs a weight above 0" }),
  utilization: utilization.prefault({}),
  metrics: metrics.prefault({}),
  schedule: schedule.prefault({}),
  limits: limits.prefault({}),
  antiThrash: antiThrash.prefault({}),
  tuning: tuning.prefault({}),
  scoring: z.strictObject({ weights: scoreWeights }).prefault({}),
});

export type BalancePolicySpec = z.output<typeof balancePolicySpec>;
