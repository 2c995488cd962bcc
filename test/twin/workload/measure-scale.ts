/**
 * Measures the workload model at 1,000 nodes and 30,000 VMs: the cost of one sample, of one
 * /metrics scrape and of listing NodeMetrics and PodMetrics. Not a test (timings vary by machine):
 * run it with `node test/twin/workload/measure-scale.ts [nodes] [vms]`.
 */
import { availableParallelism, loadavg } from "node:os";
import { Twin } from "../../../src/twin/twin.ts";
import { startWorkloads } from "../../../src/twin/workload/index.ts";
import { summarizeSeries } from "../../../src/twin/workload/summary.ts";
import { MemoryTraceLibrary } from "../../../src/twin/workload/trace.ts";
import { START, addNode, addVmi } from "../support/workload-fixture.ts";

const nodeCount = Number(process.argv[2] ?? 1000);
const vmCount = Number(process.argv[3] ?? 30_000);

/** One of each kind of curve, in turn; traces are synthetic PlanetLab-like days. */
const WORKLOADS = [
  { cpu: 0.3 },
  { cpu: { type: "diurnal", mean: 0.4, amplitude: 0.2, phase: "14h" }, dirtyRate: { base: "4Mi", perCpu: "16Mi" } },
  { cpu: { type: "bursty", base: 0.1, burst: 0.8, meanInterval: "20m", meanDuration: "2m" } },
  {
    cpu: { type: "randomWalk", mean: 0.35, volatility: 0.05 },
    memory: { type: "randomWalk", mean: 0.6, volatility: 0.02 },
  },
  { cpu: { type: "trace", file: "day/vm-" } },
];

function syntheticTraces(count: number): MemoryTraceLibrary {
  return new MemoryTraceLibrary(
    Array.from({ length: count }, (_, index): [string, Float64Array] => [
      `day/vm-${index}`,
      Float64Array.from({ length: 288 }, (_, step) => ((index * 7 + step * 13) % 60) / 100),
    ]),
  );
}

function workloadOf(index: number): unknown {
  const workload = WORKLOADS[index % WORKLOADS.length]!;
  if (index % WORKLOADS.length !== 4) return workload;
  return { cpu: { type: "trace", file: `day/vm-${index % 1000}` } };
}

/** Wall time, and the CPU time this process used (the fairer figure on a shared, busy machine). */
interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

function time<T>(run: () => T): [T, Timing] {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(cpu);
  return [result, { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 }];
}

async function timeAsync<T>(run: () => Promise<T>): Promise<[T, Timing]> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(cpu);
  return [result, { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 }];
}

function report(label: string, timings: Timing[]): void {
  const wall = summarizeSeries(timings.map((timing) => timing.wall));
  const cpu = summarizeSeries(timings.map((timing) => timing.cpu));
  process.stdout.write(
    `${label.padEnd(34)} wall p50 ${wall.p50.toFixed(1)} ms, p95 ${wall.p95.toFixed(1)} · cpu p50 ${cpu.p50.toFixed(1)} ms, p95 ${cpu.p95.toFixed(1)}  (n=${wall.count})\n`,
  );
}

const twin = Twin.create({ seed: 1, start: START });
// Only the workload model is measured: the simulated Kubernetes and KubeVirt stand down.
await twin.stop();
const workloads = startWorkloads(twin.runtime, { traces: syntheticTraces(1000) });
const heapBefore = process.memoryUsage().heapUsed;
const [, buildMs] = time(() => {
  for (let node = 0; node < nodeCount; node += 1)
    addNode(twin, `node-${String(node).padStart(4, "0")}`, { cpu: "64", memory: "512Gi" });
  for (let vm = 0; vm < vmCount; vm += 1) {
    const node = `node-${String(vm % nodeCount).padStart(4, "0")}`;
    addVmi(twin, `vm-${vm}`, { node, vcpus: 2 + (vm % 4) * 2, memory: "8Gi", workload: workloadOf(vm) as never });
  }
});
process.stdout.write(
  `${nodeCount} nodes, ${vmCount} VMs (with launcher pods) built in ${buildMs.wall.toFixed(0)} ms; load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} CPUs\n`,
);

const clock = twin.runtime.clock;
const samples: Timing[] = [];
for (let round = 0; round < 40; round += 1) samples.push(time(() => clock.runUntil(clock.now() + 15_000))[1]);
const heapAfter = process.memoryUsage().heapUsed;
report("sample (all hosts and guests)", samples.slice(5));

const scrapes: Timing[] = [];
let bytes = 0;
for (let round = 0; round < 10; round += 1) {
  const [text, ms] = await timeAsync(() => workloads.registry.metrics());
  bytes = text.length;
  scrapes.push(ms);
}
report(`/metrics scrape (${(bytes / 2 ** 20).toFixed(1)} MiB)`, scrapes.slice(2));

const nodeMetrics = workloads.virtual.get("nodes.metrics.k8s.io")!;
const podMetrics = workloads.virtual.get("pods.metrics.k8s.io")!;
report(
  "NodeMetrics list",
  Array.from({ length: 10 }, () => time(() => nodeMetrics.list(undefined))[1]),
);
report(
  "PodMetrics list (all namespaces)",
  Array.from({ length: 10 }, () => time(() => podMetrics.list(undefined))[1]),
);
report(
  "usage() for every VM",
  Array.from(
    { length: 10 },
    () =>
      time(() => {
        for (let vm = 0; vm < vmCount; vm += 1) twin.runtime.workload.usage(`default/vm-${vm}`, clock.now());
      })[1],
  ),
);
process.stdout.write(
  `heap growth over the samples: ${((heapAfter - heapBefore) / 2 ** 20).toFixed(0)} MiB (includes the store's objects)\n`,
);
