/**
 * Where the controller's memory goes, for the controller benchmark. Runs `kubedrs run` in this
 * process (startController, the same wiring as the CLI) against a running twin, so V8 can be asked
 * what it holds; the benchmark proper measures a separate process from outside and never has the
 * collector forced. After the first pass settles:
 *
 *   node --expose-gc --max-semi-space-size=16 --heap-growing-percent=20 bench/controller-memory.ts KUBECONFIG POLICY_DIR
 *
 * prints JSON: RSS split into V8 heap (live and committed, per space), external memory and the rest
 * (native: malloc arenas, code, stacks), after the collector ran and again after a last-resort
 * collection (what the controller's HeapRelease gives back); then the live heap each cached resource costs, measured as
 * the heap a copy of its cached objects adds, parsed from JSON as the cached ones were, with their
 * JSON size for scale.
 */
import { getHeapSpaceStatistics } from "node:v8";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import type { CachedResource } from "../src/controller/cache/cluster-cache.ts";
import { startController } from "../src/controller/run.ts";
import { trimObject, trimPod } from "../src/controller/cache/trim.ts";
import type { JsonObject } from "../src/adapters/kube/convert/meta.ts";

const RESOURCES: readonly CachedResource[] = [
  "nodes",
  "pods",
  "namespaces",
  "leases",
  "vmis",
  "vms",
  "vmims",
  "kubevirts",
  "migrationPolicies",
  "nodeMaintenances",
];
const MIB = 2 ** 20;
/** Lets the first pass's recommendations and the executor's first rounds finish. */
const SETTLE_MS = 5_000;

const [kubeconfig, policies] = process.argv.slice(2);
if (kubeconfig === undefined || policies === undefined) {
  process.stderr.write("usage: node --expose-gc bench/controller-memory.ts KUBECONFIG POLICY_DIR\n");
  process.exit(1);
}
const collect = (globalThis as { gc?: (options?: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void })
  .gc;
if (collect === undefined) {
  process.stderr.write("run with --expose-gc\n");
  process.exit(1);
}

function mib(bytes: number): number {
  return Math.round((bytes / MIB) * 10) / 10;
}

/** The heap in use after two full collections (the second catches what the first's finalizers freed). */
function liveHeap(): number {
  collect?.();
  collect?.();
  return process.memoryUsage().heapUsed;
}

function processMemory() {
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics()
      .filter((space) => space.space_size > MIB)
      .map((space) => [space.space_name, { usedMiB: mib(space.space_used_size), committedMiB: mib(space.space_size) }]),
  );
  return {
    rssMiB: mib(usage.rss),
    heapUsedMiB: mib(usage.heapUsed),
    heapCommittedMiB: mib(usage.heapTotal),
    externalMiB: mib(usage.external),
    arrayBuffersMiB: mib(usage.arrayBuffers),
    nativeAndCodeMiB: mib(usage.rss - usage.heapTotal - usage.external),
    heapSpaces: spaces,
  };
}

/**
 * A copy made as the cache's objects were: by JSON.parse (which shares short strings as V8 does),
 * then trimmed, which hands back the parts a template makes alike that the cache already holds.
 */
function parsedCopy(resource: CachedResource, objects: readonly object[]): { copy: object[]; jsonBytes: number } {
  const text = JSON.stringify(objects);
  const trim = resource === "pods" ? trimPod : trimObject;
  return { copy: (JSON.parse(text) as JsonObject[]).map(trim), jsonBytes: text.length };
}

/** The heap a resource's cached objects cost beyond the parts they share with the rest. */
function resourceCost(resource: CachedResource, objects: readonly object[]) {
  const before = liveHeap();
  const { copy, jsonBytes } = parsedCopy(resource, objects);
  const heap = liveHeap() - before;
  return {
    objects: copy.length,
    heapMiB: mib(heap),
    heapBytesPerObject: copy.length > 0 ? Math.round(heap / copy.length) : 0,
    jsonMiB: mib(jsonBytes),
  };
}

let passes = 0;
const running = await startController({
  kubeconfig,
  policies,
  clock: "twin",
  identity: "bench-controller-memory",
  logDestination: pino.destination({ dest: 2, sync: true }),
  logLevel: "warn",
  onPass: () => (passes += 1),
});
while (passes === 0) await sleep(100);
await sleep(SETTLE_MS);
const afterPass = processMemory();
const live = liveHeap();
const afterCollection = processMemory();
// What the controller's HeapRelease gives back: a last-resort collection returns freed pages.
collect({ type: "major", execution: "sync", flavor: "last-resort" });
const afterRelease = processMemory();
const resources = Object.fromEntries(
  RESOURCES.map((name) => [name, resourceCost(name, running.controller.cache.list(name))]),
);
await running.stop();
process.stdout.write(
  `${JSON.stringify({ passes, afterPass, afterCollection, afterRelease, liveHeapMiB: mib(live), cacheByResource: resources })}\n`,
);
process.exit(0);
