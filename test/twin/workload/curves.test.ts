import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type Curve, buildCurve } from "../../../src/twin/workload/curves.ts";
import { uniformAt } from "../../../src/twin/workload/noise.ts";
import { curveSpec, describeIssues, workloadSpec } from "../../../src/twin/workload/spec.ts";
import { summarizeCurve, summarizeSeries } from "../../../src/twin/workload/summary.ts";
import { MemoryTraceLibrary, parseTrace } from "../../../src/twin/workload/trace.ts";
import { FileTraceLibrary, resolveTracePath } from "../../../src/twin/workload/trace-loader.ts";

const FIXTURES = resolve(import.meta.dirname, "fixtures");
const PLANETLAB = resolve(import.meta.dirname, "../../..", "../shared/traces/planetlab");
const DAY = 86_400;

const traces = new MemoryTraceLibrary([["four", parseTrace("10\n20\n30\n40\n", "four")]]);

function curveOf(input: unknown, seed = 11, stream = 0): Curve {
  return buildCurve(curveSpec.parse(input), { seed, stream, traces });
}

/** Times spread over two days, at odd offsets, so no test leans on step boundaries. */
const TIMES = Array.from({ length: 400 }, (_, index) => 1_000_000 + index * 433.7);

describe("deterministic curves", () => {
  it.each([
    { name: "a bare number is a constant", spec: 0.42, at: 12_345, expected: 0.42 },
    { name: "constant", spec: { type: "constant", value: 0.25 }, at: 99, expected: 0.25 },
    {
      name: "diurnal peaks at its phase",
      spec: { type: "diurnal", mean: 0.5, amplitude: 0.2, phase: "14h" },
      at: 10 * DAY + 14 * 3600,
      expected: 0.7,
    },
    {
      name: "diurnal bottoms half a period later",
      spec: { type: "diurnal", mean: 0.5, amplitude: 0.2, phase: "14h" },
      at: 10 * DAY + 2 * 3600,
      expected: 0.3,
    },
    {
      name: "diurnal crosses its mean a quarter period from the peak",
      spec: { type: "diurnal", mean: 0.5, amplitude: 0.2, phase: "14h" },
      at: 10 * DAY + 20 * 3600,
      expected: 0.5,
    },
    {
      name: "diurnal with a 1 h period",
      spec: { type: "diurnal", mean: 0.4, amplitude: 0.1, period: "1h" },
      at: 7 * 3600 + 1800,
      expected: 0.3,
    },
  ])("$name", ({ spec, at, expected }) => {
    expect(curveOf(spec)(at)).toBeCloseTo(expected, 12);
  });
});

describe.each([
  { kind: "bursty", spec: { type: "bursty", base: 0.1, burst: 0.9, meanInterval: "10m", meanDuration: "1m" } },
  { kind: "randomWalk", spec: { type: "randomWalk", mean: 0.5, volatility: 0.05, step: "1m" } },
])("$kind curves", ({ spec }) => {
  it("give the same values for the same seed", () => {
    const first = TIMES.map(curveOf(spec, 5));
    const second = TIMES.map(curveOf(spec, 5));
    expect(second).toEqual(first);
  });

  it("give different values for another seed", () => {
    expect(TIMES.map(curveOf(spec, 6))).not.toEqual(TIMES.map(curveOf(spec, 5)));
  });

  it("give the same value at t whatever was asked before", () => {
    const forward = TIMES.map(curveOf(spec, 5));
    const curve = curveOf(spec, 5);
    const reversed = [...TIMES].reverse().map(curve).reverse();
    const scattered = curveOf(spec, 5);
    const picked = TIMES.map((_, index) => TIMES[(index * 157) % TIMES.length]!);
    expect(reversed).toEqual(forward);
    expect(picked.map(scattered)).toEqual(picked.map((time) => forward[TIMES.indexOf(time)]));
  });

  it("keep each stream of a VM independent", () => {
    const cpu = buildCurve(curveSpec.parse(spec), { seed: 5, stream: 0, traces });
    const memory = buildCurve(curveSpec.parse(spec), { seed: 5, stream: 1, traces });
    expect(TIMES.map(memory)).not.toEqual(TIMES.map(cpu));
  });
});

describe("bursty", () => {
  const spec = { type: "bursty", base: 0.1, burst: 0.9, meanInterval: "10m", meanDuration: "1m" };

  it("is at its base or its burst level, bursting about meanDuration / meanInterval of the time", () => {
    const curve = curveOf(spec, 3);
    const values = Array.from({ length: 30 * 24 * 60 }, (_, minute) => curve(DAY + minute * 60 + 7));
    expect(new Set(values)).toEqual(new Set([0.1, 0.9]));
    const share = values.filter((value) => value === 0.9).length / values.length;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.12);
  });
});

describe("randomWalk", () => {
  it("stays in [min, max] and wanders around its mean", () => {
    const curve = curveOf({ type: "randomWalk", mean: 0.4, volatility: 0.05, min: 0.2, max: 0.7, step: 60 }, 9);
    const summary = summarizeCurve(curve, { fromSeconds: DAY, toSeconds: 31 * DAY, stepSeconds: 97 });
    expect(summary.min).toBeGreaterThanOrEqual(0.2);
    expect(summary.max).toBeLessThanOrEqual(0.7);
    expect(summary.mean).toBeCloseTo(0.4, 1);
    // Stationary spread of the walk: volatility / sqrt(1 - (1 - reversion)^2) ≈ 0.115.
    expect(summary.std).toBeGreaterThan(0.08);
    expect(summary.std).toBeLessThan(0.14);
  });

  it("moves continuously between steps", () => {
    const curve = curveOf({ type: "randomWalk", mean: 0.5, volatility: 0.05, step: 60 }, 9);
    const gaps = TIMES.map((time) => Math.abs(curve(time + 1) - curve(time)));
    expect(Math.max(...gaps)).toBeLessThan(0.05);
  });
});

describe("positional noise", () => {
  it("is uniform on [0, 1) across indices", () => {
    const values = Array.from({ length: 20_000 }, (_, index) => uniformAt(123, 4, index));
    const summary = summarizeSeries(values);
    expect(summary.min).toBeGreaterThanOrEqual(0);
    expect(summary.max).toBeLessThan(1);
    expect(summary.mean).toBeCloseTo(0.5, 1);
    expect(summary.p95).toBeCloseTo(0.95, 1);
  });
});

describe("trace curves", () => {
  it.each([
    { name: "the first sample at the start of a cycle", spec: {}, at: 0, expected: 0.1 },
    { name: "halfway between samples, linearly", spec: {}, at: 150, expected: 0.15 },
    { name: "a sample exactly", spec: {}, at: 600, expected: 0.3 },
    { name: "from the last sample back to the first across the wrap", spec: {}, at: 1050, expected: 0.25 },
    { name: "the first sample again after the wrap", spec: {}, at: 1200 * 50, expected: 0.1 },
    { name: "held until the next sample", spec: { interpolation: "hold" }, at: 299, expected: 0.1 },
    { name: "shifted by the offset", spec: { offset: "5m" }, at: 0, expected: 0.2 },
    { name: "scaled", spec: { scale: 2 }, at: 300, expected: 0.4 },
    { name: "on another sample interval", spec: { interval: 60 }, at: 90, expected: 0.25 },
  ])("gives $name", ({ spec, at, expected }) => {
    expect(curveOf({ type: "trace", file: "four", ...spec })(at)).toBeCloseTo(expected, 12);
  });

  it("parses one percentage per line, skipping blank lines", () => {
    expect(Array.from(parseTrace("5\r\n\n 17 \n100\n", "x"))).toEqual([0.05, 0.17, 1]);
  });

  it.each([
    { name: "a word", text: "50\n\n abc\n", message: "x:3" },
    { name: "a negative value", text: "-4\n", message: "x:1" },
    { name: "nothing", text: "\n\n", message: "no samples" },
  ])("rejects a trace with $name, naming the line", ({ text, message }) => {
    expect(() => parseTrace(text, "x")).toThrow(message);
  });

  it("reads files relative to the trace directory, once", () => {
    const library = new FileTraceLibrary(FIXTURES);
    const samples = library.samples("four-samples.trace");
    expect(Array.from(samples)).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(library.samples(resolve(FIXTURES, "four-samples.trace"))).toBe(samples);
    expect(resolveTracePath("/abs/day/vm", "/base")).toBe("/abs/day/vm");
    expect(resolveTracePath("day/vm", "/base")).toBe("/base/day/vm");
  });

  it("names the file it cannot read or parse", () => {
    const library = new FileTraceLibrary(FIXTURES);
    expect(() => library.samples("missing.trace")).toThrow(/cannot read the trace .*missing\.trace/);
    expect(() => library.samples("broken.trace")).toThrow(/broken\.trace:3/);
  });
});

describe.skipIf(!existsSync(PLANETLAB))("the PlanetLab traces", () => {
  const day = resolve(PLANETLAB, "20110303");

  it("replay one VM-day: 288 samples, 5 minutes apart, between 0 and 100 %", () => {
    const library = new FileTraceLibrary(PLANETLAB);
    const file = readdirSync(day).sort()[0]!;
    const samples = library.samples(`20110303/${file}`);
    expect(samples).toHaveLength(288);
    const curve = buildCurve(curveSpec.parse({ type: "trace", file: `20110303/${file}` }), {
      seed: 1,
      stream: 0,
      traces: library,
    });
    expect(curve(DAY + 5 * 300)).toBeCloseTo(samples[5]!, 12);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(1);
  });

  it("match the CCPE workload table for 2011-03-03 (1052 VMs, mean 12.31 %, SD 17.09 %)", () => {
    const library = new FileTraceLibrary(day);
    const files = readdirSync(day);
    const all = files.flatMap((file) => Array.from(library.samples(file), (value) => value * 100));
    const summary = summarizeSeries(all);
    expect(files).toHaveLength(1052);
    expect(summary.mean).toBeCloseTo(12.31, 1);
    expect(summary.std).toBeCloseTo(17.09, 1);
  });
});

describe("workload spec validation", () => {
  it("fills the defaults: 30 % CPU, 70 % memory, 16 MiB/s dirtied", () => {
    expect(workloadSpec.parse({})).toEqual({ cpu: 0.3, memory: 0.7, dirtyRate: 16 * 2 ** 20 });
  });

  it("reads durations and quantities", () => {
    const spec = workloadSpec.parse({
      cpu: { type: "diurnal", mean: 0.4, amplitude: 0.1, period: "12h", phase: "14h" },
      dirtyRate: { base: "8Mi", perCpu: "32Mi" },
    });
    expect(spec.cpu).toEqual({ type: "diurnal", mean: 0.4, amplitude: 0.1, period: 43_200, phase: 50_400 });
    expect(spec.dirtyRate).toEqual({ base: 8 * 2 ** 20, perCpu: 32 * 2 ** 20 });
  });

  it.each([
    { name: "a negative level", input: { cpu: { type: "diurnal", mean: -1, amplitude: 0.1 } }, path: "cpu.mean" },
    {
      name: "a walk whose min exceeds its max",
      input: { cpu: { type: "randomWalk", mean: 0.5, volatility: 0.1, min: 0.8, max: 0.2 } },
      path: "cpu.max",
    },
    { name: "an unknown curve type", input: { memory: { type: "sawtooth" } }, path: "memory" },
    { name: "a dirty rate that is no quantity", input: { dirtyRate: "lots" }, path: "dirtyRate" },
    { name: "a zero sample interval", input: { cpu: { type: "trace", file: "x", interval: 0 } }, path: "cpu.interval" },
    { name: "an unknown field", input: { cpus: 0.5 }, path: "" },
  ])("rejects $name at $path", ({ input, path }) => {
    const result = workloadSpec.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join("."))).toContain(path);
    expect(describeIssues(result.error!)).toContain(path === "" ? "(root)" : path);
  });
});
