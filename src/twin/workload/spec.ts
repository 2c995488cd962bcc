/**
 * WorkloadSpec: what a simulated guest does over time, carried as JSON in the VMI annotation
 * `twin.kubedrs.io/workload` (KubeVirt copies a VM template's annotations to its VMI). The
 * scenario loader validates scenario files with the same schema, so it is defined once here.
 *
 * A curve is a pure function of virtual time. For `cpu` its value is the fraction of the VM's
 * vCPUs in use (0..1), for `memory` the fraction of guest memory resident (0..1), and for a
 * `dirtyRate` curve bytes per second. A bare number is shorthand for a constant curve.
 */
import { z } from "zod";
import { duration, quantity } from "../../core/schema/fields.ts";
import { DEFAULT_DIRTY_RATE } from "../../core/balance/migration-costs.ts";

export const WORKLOAD_ANNOTATION = "twin.kubedrs.io/workload";
export const LOAD_FACTOR_ANNOTATION = "twin.kubedrs.io/load-factor";

/** What a guest does when its VMI says nothing: 30 % CPU, 70 % memory, 16 MiB/s dirtied. */
export const DEFAULT_CPU_FRACTION = 0.3;
export const DEFAULT_MEMORY_FRACTION = 0.7;
export { DEFAULT_DIRTY_RATE };

const level = z.number().min(0);
const positiveDuration = duration.refine((seconds) => seconds > 0, "must be longer than 0");

const constantCurve = z.strictObject({
  type: z.literal("constant"),
  value: level,
});

const diurnalCurve = z.strictObject({
  type: z.literal("diurnal"),
  mean: level,
  amplitude: level.meta({ description: "Half the swing between the daily peak and trough." }),
  period: positiveDuration.default(86_400),
  phase: duration.default(0).meta({
    description: "When the curve peaks: seconds after the start of each period (UTC midnight for 24h).",
  }),
});

const burstyCurve = z.strictObject({
  type: z.literal("bursty"),
  base: level,
  burst: level.meta({ description: "The level during a burst." }),
  meanInterval: positiveDuration.meta({ description: "Mean time between the starts of two bursts." }),
  meanDuration: positiveDuration.meta({ description: "Mean length of a burst (exponentially distributed)." }),
});

const randomWalkCurve = z
  .strictObject({
    type: z.literal("randomWalk"),
    mean: level,
    volatility: level.meta({ description: "Standard deviation of the change per step." }),
    min: level.default(0),
    max: level.default(1),
    step: positiveDuration.default(60),
    reversion: z.number().gt(0).max(1).default(0.1).meta({
      description:
        "Pull back towards the mean per step (0..1]; the walk is x' = mean + (1 - reversion)(x - mean) + noise.",
    }),
  })
  .refine((walk) => walk.min <= walk.max, { message: "min must not exceed max", path: ["max"] });

const traceCurve = z.strictObject({
  type: z.literal("trace"),
  file: z.string().min(1).meta({
    description:
      "A PlanetLab-style file: one integer percentage per line. Absolute, or relative to the trace directory.",
  }),
  offset: duration
    .default(0)
    .meta({ description: "Shifts the trace: the value at time t is the trace's at t + offset." }),
  scale: level.default(1).meta({ description: "Multiplies every sample (after percent → fraction)." }),
  interval: positiveDuration.default(300).meta({ description: "Time between samples (PlanetLab: 5 minutes)." }),
  interpolation: z.enum(["linear", "hold"]).default("linear").meta({
    description: "linear (as CloudSim's PlanetLab model) or hold each sample until the next.",
  }),
});

const curveObject = z.discriminatedUnion("type", [
  constantCurve,
  diurnalCurve,
  burstyCurve,
  randomWalkCurve,
  traceCurve,
]);

export const curveSpec = z
  .union([level, curveObject], {
    error: "expected a number ≥ 0 or a curve with type constant, diurnal, bursty, randomWalk or trace",
  })
  .meta({
    description: "A number (constant), or a constant, diurnal, bursty, randomWalk or trace curve.",
  });

const proportionalDirtyRate = z.strictObject({
  base: quantity.default(0).meta({ description: "Bytes per second dirtied regardless of CPU use." }),
  perCpu: quantity.meta({ description: "Bytes per second dirtied per core of CPU in use." }),
});

export const dirtyRateSpec = z
  .union([quantity, proportionalDirtyRate, curveObject], {
    error: "expected bytes per second (16Mi), {base, perCpu}, or a curve with a type",
  })
  .meta({
    description: "Bytes per second: a quantity (16Mi), {base, perCpu} proportional to CPU use, or a curve in bytes/s.",
  });

export const workloadSpec = z.strictObject({
  cpu: curveSpec.default(DEFAULT_CPU_FRACTION).meta({ description: "Fraction of the VM's vCPUs in use." }),
  memory: curveSpec.default(DEFAULT_MEMORY_FRACTION).meta({ description: "Fraction of guest memory resident." }),
  dirtyRate: dirtyRateSpec.default(DEFAULT_DIRTY_RATE),
});

export type CurveSpec = z.output<typeof curveSpec>;
export type CurveObject = z.output<typeof curveObject>;
export type TraceCurveSpec = z.output<typeof traceCurve>;
export type DirtyRateSpec = z.output<typeof dirtyRateSpec>;
export type WorkloadSpec = z.output<typeof workloadSpec>;
export type WorkloadSpecInput = z.input<typeof workloadSpec>;

export const DEFAULT_WORKLOAD: WorkloadSpec = workloadSpec.parse({});

/** Every issue, each as "path: message", so a bad annotation names the field to fix. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
