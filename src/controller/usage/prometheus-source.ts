/**
 * Usage from Prometheus: one instant query per signal through the HTTP API
 * (GET /api/v1/query?query=…&time=…), each result a vector keyed by node or by VMI. The queries come
 * from BalancePolicy.spec.metrics.prometheus.queries; their defaults use node-exporter and KubeVirt
 * metric names and give CPU in cores, which becomes millicores here. A query set to "" is not run.
 */
import type { NodeSample, UsageSample, UsageSource, VmSample } from "./types.ts";

export type NodeQueryKey = "nodeCpu" | "nodeMemory" | "nodeCpuPressure";
export type VmQueryKey = "vmCpu" | "vmMemory" | "vmDirtyRate" | "vmVcpuDelay";
export type PrometheusQueryKey = NodeQueryKey | VmQueryKey;
export type PrometheusQueries = Readonly<Partial<Record<PrometheusQueryKey, string>>>;

export interface PrometheusSourceOptions {
  /** The Prometheus base URL, e.g. http://prometheus.monitoring:9090 (a path prefix is kept). */
  readonly url: string;
  readonly queries: PrometheusQueries;
  readonly fetch?: typeof fetch;
  /** Per query; default 30 s. */
  readonly timeoutMs?: number;
}

interface Signal<K extends PrometheusQueryKey, F extends string> {
  readonly key: K;
  readonly field: F;
  /** From the query's unit to the sample's. */
  readonly scale: number;
}

const NODE_SIGNALS: readonly Signal<NodeQueryKey, keyof NodeSample>[] = [
  { key: "nodeCpu", field: "cpuMillicores", scale: 1000 },
  { key: "nodeMemory", field: "memoryBytes", scale: 1 },
  { key: "nodeCpuPressure", field: "cpuPressure", scale: 1 },
];

const VM_SIGNALS: readonly Signal<VmQueryKey, keyof VmSample>[] = [
  { key: "vmCpu", field: "cpuMillicores", scale: 1000 },
  { key: "vmMemory", field: "memoryBytes", scale: 1 },
  { key: "vmDirtyRate", field: "dirtyRate", scale: 1 },
  { key: "vmVcpuDelay", field: "vcpuDelay", scale: 1 },
];

const DEFAULT_TIMEOUT_MS = 30_000;

/** One series of an instant vector: its labels and value. */
interface VectorPoint {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: string;
}

interface QueryResult {
  readonly points: readonly VectorPoint[];
  readonly warnings: readonly string[];
}

/** A query Prometheus answered with an error, or that could not be sent; names the query key. */
export class PrometheusQueryError extends Error {
  readonly key: PrometheusQueryKey;

  constructor(key: PrometheusQueryKey, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "PrometheusQueryError";
    this.key = key;
  }
}

export class PrometheusSource implements UsageSource {
  readonly kind = "Prometheus";
  readonly #base: string;
  readonly #queries: PrometheusQueries;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: PrometheusSourceOptions) {
    this.#base = options.url.replace(/\/+$/, "");
    this.#queries = options.queries;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Runs every configured query at `now`. If any fails the round fails, with one error naming every
   * failed query: a round missing a signal would look like that signal dropping to nothing.
   */
  async sample(now: number): Promise<UsageSample> {
    const keys = [...NODE_SIGNALS, ...VM_SIGNALS].map((signal) => signal.key).filter((key) => this.#queries[key]);
    const settled = await Promise.allSettled(keys.map((key) => this.#query(key, now)));
    const failures = settled.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason as unknown] : []));
    if (failures.length > 0) throw combinedError(failures);
    const results = new Map<PrometheusQueryKey, QueryResult>();
    settled.forEach((outcome, index) => {
      const key = keys[index];
      if (outcome.status === "fulfilled" && key !== undefined) results.set(key, outcome.value);
    });
    return assembleSample(now, results);
  }

  async #query(key: PrometheusQueryKey, now: number): Promise<QueryResult> {
    const query = this.#queries[key] ?? "";
    const url = `${this.#base}/api/v1/query?query=${encodeURIComponent(query)}&time=${now / 1000}`;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new PrometheusQueryError(key, `Prometheus query ${key} (GET ${url}) failed: ${messageOf(error)}`, error);
    }
    const body: unknown = await response.json().catch(() => undefined);
    return parseResponse(key, url, response.status, body);
  }
}

function combinedError(failures: readonly unknown[]): Error {
  if (failures.length === 1 && failures[0] instanceof Error) return failures[0];
  return new AggregateError(failures, failures.map(messageOf).join("; "));
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the envelope ({status, data: {resultType, result}, warnings}) and returns the vector's series. */
function parseResponse(key: PrometheusQueryKey, url: string, status: number, body: unknown): QueryResult {
  const fail = (reason: string): PrometheusQueryError =>
    new PrometheusQueryError(key, `Prometheus query ${key} (GET ${url}) failed: ${reason}`);
  const envelope = isRecord(body) ? body : {};
  if (envelope.status === "error" || status !== 200) {
    const type = typeof envelope.errorType === "string" ? envelope.errorType : "error";
    const detail = typeof envelope.error === "string" ? `: ${type}: ${envelope.error}` : "";
    throw fail(`HTTP ${status}${detail}`);
  }
  if (envelope.status !== "success" || !isRecord(envelope.data))
    throw fail("the response is not a Prometheus API answer");
  const { resultType, result } = envelope.data;
  if (resultType !== "vector" || !Array.isArray(result)) {
    throw fail(`the query returns ${String(resultType)}, not an instant vector; make it return one series per object`);
  }
  const warnings = Array.isArray(envelope.warnings) ? envelope.warnings.map((text) => `${key}: ${String(text)}`) : [];
  return { points: result.flatMap((item: unknown) => vectorPoint(item)), warnings };
}

function vectorPoint(item: unknown): VectorPoint[] {
  if (!isRecord(item) || !isRecord(item.metric) || !Array.isArray(item.value)) return [];
  const value: unknown = item.value[1];
  const labels: Record<string, string> = {};
  for (const [name, label] of Object.entries(item.metric)) if (typeof label === "string") labels[name] = label;
  return [{ labels, value: typeof value === "string" ? value : String(value) }];
}

/** The node a series describes: its `node` label, else its `instance` without the port. */
export function nodeOfSeries(labels: Readonly<Record<string, string>>): string | undefined {
  if (labels.node) return labels.node;
  const instance = labels.instance;
  if (!instance) return undefined;
  const bracketed = /^\[(.+)\](?::\d+)?$/.exec(instance);
  if (bracketed) return bracketed[1];
  // One colon is host:port; more is a bare IPv6 address, which has no port to strip.
  return instance.split(":").length === 2 ? instance.replace(/:\d+$/, "") : instance;
}

function vmOfSeries(labels: Readonly<Record<string, string>>): string | undefined {
  return labels.namespace && labels.name ? `${labels.namespace}/${labels.name}` : undefined;
}

/** Signal values per object while a round is put together; field names are NodeSample's or VmSample's. */
interface Accumulator {
  readonly objects: Map<string, Record<string, number>>;
  readonly warnings: string[];
}

/**
 * Adds a query's series to the samples. Series with the same object are added up, as `sum by` would:
 * a query left per-CPU or per-container still measures the object's total.
 */
function accumulate(
  into: Accumulator,
  signal: Signal<PrometheusQueryKey, string>,
  result: QueryResult | undefined,
  objectOf: (labels: Readonly<Record<string, string>>) => string | undefined,
): void {
  for (const point of result?.points ?? []) {
    const object = objectOf(point.labels);
    const value = Number(point.value);
    if (object === undefined) {
      into.warnings.push(`${signal.key}: skipped series ${JSON.stringify(point.labels)}: it names no object`);
    } else if (!Number.isFinite(value)) {
      into.warnings.push(`${signal.key}: skipped ${object}: value ${JSON.stringify(point.value)} is not a number`);
    } else {
      const sample = into.objects.get(object) ?? {};
      sample[signal.field] = (sample[signal.field] ?? 0) + value * signal.scale;
      into.objects.set(object, sample);
    }
  }
}

function assembleSample(now: number, results: ReadonlyMap<PrometheusQueryKey, QueryResult>): UsageSample {
  const warnings = [...results.values()].flatMap((result) => result.warnings);
  const nodes: Accumulator = { objects: new Map(), warnings };
  const vms: Accumulator = { objects: new Map(), warnings };
  for (const signal of NODE_SIGNALS) accumulate(nodes, signal, results.get(signal.key), nodeOfSeries);
  for (const signal of VM_SIGNALS) accumulate(vms, signal, results.get(signal.key), vmOfSeries);
  return { at: now, nodes: nodes.objects, vms: vms.objects, warnings };
}
