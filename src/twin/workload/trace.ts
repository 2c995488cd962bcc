/**
 * Utilisation traces in the PlanetLab format CloudSim ships (one file per VM-day, one integer CPU
 * percentage per line, one line per 5 minutes), and the curve that replays one. Parsing is pure;
 * reading files is trace-loader.ts's job, behind the TraceLibrary interface, so tests and the
 * scenario loader can hand traces in from memory.
 */
import type { TraceCurveSpec } from "./spec.ts";

/** Samples as fractions (percent / 100), by file name as the workload spec gives it. */
export interface TraceLibrary {
  /** Throws an Error that names the file and what is wrong with it. */
  samples(file: string): Float64Array;
}

export type Curve = (seconds: number) => number;

/** One number per non-empty line, in percent; `source` names the file in errors. */
export function parseTrace(text: string, source: string): Float64Array {
  const values: number[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    const percent = Number(trimmed);
    if (!Number.isFinite(percent) || percent < 0)
      throw new Error(`${source}:${index + 1}: expected a CPU percentage, found ${JSON.stringify(trimmed)}`);
    values.push(percent / 100);
  }
  if (values.length === 0) throw new Error(`${source}: the trace has no samples`);
  return Float64Array.from(values);
}

/**
 * Replays samples `interval` seconds apart, aligned to the epoch (so a 288 × 5 min PlanetLab day
 * starts at UTC midnight), shifted by `offset` and wrapping after the last sample. Linear
 * interpolation, as CloudSim's UtilizationModelPlanetLabInMemory does, runs from the last sample
 * back to the first across the wrap.
 */
export function traceCurve(samples: Float64Array, spec: TraceCurveSpec): Curve {
  const count = samples.length;
  const { interval, offset, scale } = spec;
  const hold = spec.interpolation === "hold";
  return (seconds) => {
    const position = (seconds + offset) / interval;
    const step = Math.floor(position);
    const index = ((step % count) + count) % count;
    const current = samples[index] ?? 0;
    if (hold) return current * scale;
    const next = samples[(index + 1) % count] ?? 0;
    return (current + (next - current) * (position - step)) * scale;
  };
}

/** Traces handed in from memory (tests, or a scenario that bundles them), with the files as a fallback. */
export class MemoryTraceLibrary implements TraceLibrary {
  private readonly traces: Map<string, Float64Array>;
  private readonly fallback: TraceLibrary | undefined;

  constructor(traces: Iterable<[string, Float64Array]>, fallback?: TraceLibrary) {
    this.traces = new Map(traces);
    this.fallback = fallback;
  }

  samples(file: string): Float64Array {
    const found = this.traces.get(file);
    if (found) return found;
    if (this.fallback) return this.fallback.samples(file);
    throw new Error(`no trace named ${file}`);
  }
}
