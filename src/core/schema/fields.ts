/**
 * Zod building blocks shared by every document kubedrs reads (policies, snapshots, scenarios).
 * Each schema is defined once: the TypeScript type, the validator and the JSON Schema derive from it.
 */
import { z } from "zod";
import { parseDuration, quantityValue, toMillicores } from "../model/quantity.ts";

const quantityInput = z.union([z.number(), z.string()]);

function quantityIn(
  unit: "cpu" | "base",
  description: string,
): z.ZodPipe<typeof quantityInput, z.ZodTransform<number, string | number>> {
  return quantityInput
    .transform((value, ctx) => {
      const parsed = quantityValue(value);
      if (parsed === undefined || !Number.isFinite(parsed) || parsed < 0) {
        ctx.issues.push({
          code: "custom",
          input: value,
          message: `not a valid quantity: ${JSON.stringify(value)} (examples: 500m, 4, 16Gi)`,
        });
        return z.NEVER;
      }
      return unit === "cpu" ? toMillicores(parsed) : parsed;
    })
    .meta({ description });
}

/** CPU as a Kubernetes quantity ("500m", 2), held as millicores. */
export const cpuQuantity = quantityIn("cpu", "CPU as a Kubernetes quantity (500m, 2); held in millicores.");

/** Bytes or counts as a Kubernetes quantity ("16Gi", 1e9, 8). */
export const quantity = quantityIn("base", "A Kubernetes quantity (16Gi, 1e9, 8).");

/** A duration such as "90s", "5m" or "1h30m", or a number of seconds; held as seconds. */
export const duration = quantityInput
  .transform((value, ctx) => {
    const seconds = parseDuration(value);
    if (seconds === undefined) {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: `not a valid duration: ${JSON.stringify(value)} (examples: 30s, 5m, 1h30m)`,
      });
      return z.NEVER;
    }
    return seconds;
  })
  .meta({ description: "A duration (30s, 5m, 1h30m) or a number of seconds." });

/** An int-or-percent such as 2 or "25%", as in NodeHealthCheck's maxUnhealthy. */
export const intOrPercent = z
  .union([
    z.number().int().min(0),
    z.string().regex(/^\d+(\.\d+)?%$/, "must be a whole number or a percentage such as 25%"),
  ])
  .meta({ description: 'A count (2) or a percentage of the selected nodes ("25%").' });

export type IntOrPercent = z.infer<typeof intOrPercent>;

/**
 * Resolves an int-or-percent against a total, rounding percentages down (Cluster API's MachineHealthCheck does;
 * NodeHealthCheck rounds maxUnhealthy up). Multiplies before dividing, as (29 / 100) * 100 is 28.999… and floors to
 * 28; the 1e-9 absorbs decimal percentages' float error (9.2 * 750 / 100 is 68.999…).
 */
export function resolveIntOrPercent(value: IntOrPercent, total: number): number {
  if (typeof value === "number") return value;
  return Math.floor((Number(value.slice(0, -1)) * total) / 100 + 1e-9);
}

export const labels = z.record(z.string(), z.string());

export const selectorRequirement = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
  values: z.array(z.string()).optional(),
});

export const labelSelector = z
  .strictObject({
    matchLabels: labels.optional(),
    matchExpressions: z.array(selectorRequirement).optional(),
  })
  .meta({ description: "A Kubernetes label selector; an empty selector matches everything." });

export const nodeSelectorTerm = z.strictObject({
  matchExpressions: z.array(selectorRequirement).optional(),
  matchFields: z.array(selectorRequirement).optional(),
});

export const taintEffect = z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]);

export const taint = z.strictObject({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: taintEffect,
  timeAdded: z.string().optional(),
});

export const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: z.string().optional(),
  effect: taintEffect.optional(),
  tolerationSeconds: z.number().int().optional(),
});

const podAffinityTerm = z.strictObject({
  labelSelector: labelSelector.optional(),
  namespaces: z.array(z.string()).optional(),
  namespaceSelector: labelSelector.optional(),
  topologyKey: z.string().min(1),
});

const weightedPodAffinityTerm = z.strictObject({
  weight: z.number().int().min(1).max(100),
  podAffinityTerm,
});

const podAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(weightedPodAffinityTerm).optional(),
});

/** corev1.Affinity as it appears in a VMI spec. */
export const affinity = z.strictObject({
  nodeAffinity: z
    .strictObject({
      requiredDuringSchedulingIgnoredDuringExecution: z
        .strictObject({ nodeSelectorTerms: z.array(nodeSelectorTerm) })
        .optional(),
      preferredDuringSchedulingIgnoredDuringExecution: z
        .array(z.strictObject({ weight: z.number().int().min(1).max(100), preference: nodeSelectorTerm }))
        .optional(),
    })
    .optional(),
  podAffinity: podAffinity.optional(),
  podAntiAffinity: podAffinity.optional(),
});

export type Affinity = z.output<typeof affinity>;
export type PodAffinityTerm = z.output<typeof podAffinityTerm>;

/** Kubernetes object metadata as kubedrs documents use it. */
export const objectMeta = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a lowercase RFC 1123 name"),
  namespace: z.string().optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
});
