import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { nodeOfSeries, PrometheusQueryError, PrometheusSource, type PrometheusQueries } from "./prometheus-source.ts";

const NOW = Date.UTC(2026, 2, 2, 12, 0, 0, 500);
const GiB = 2 ** 30;

const DEFAULT_QUERIES = {
  nodeCpu: 'sum by (node) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))',
  nodeMemory: "sum by (node) (node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes)",
  nodeCpuPressure: "sum by (node) (rate(node_pressure_cpu_waiting_seconds_total[5m]))",
  vmCpu: "sum by (namespace, name) (rate(kubevirt_vmi_cpu_usage_seconds_total[5m]))",
  vmMemory: "sum by (namespace, name) (kubevirt_vmi_memory_resident_bytes)",
  vmDirtyRate: "sum by (namespace, name) (kubevirt_vmi_dirty_rate_bytes_per_second)",
  vmVcpuDelay: "sum by (namespace, name) (rate(kubevirt_vmi_vcpu_delay_seconds_total[5m]))",
} as const;

interface Reply {
  readonly status?: number;
  readonly body: unknown;
}

/** An instant-vector answer as Prometheus writes it: values are strings, times seconds. */
function vector(...series: [Record<string, string>, string][]): Reply {
  return {
    body: {
      status: "success",
      data: {
        resultType: "vector",
        result: series.map(([metric, value]) => ({ metric, value: [NOW / 1000, value] })),
      },
    },
  };
}

const EMPTY = vector();

/** A stub Prometheus: answers each query text with its reply and records the requests. */
class StubPrometheus {
  readonly requests: URL[] = [];
  readonly #replies = new Map<string, Reply>();
  readonly #server: Server;

  constructor() {
    this.#server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://stub");
      this.requests.push(url);
      const reply = this.#replies.get(url.searchParams.get("query") ?? "") ?? EMPTY;
      response.writeHead(reply.status ?? 200, { "content-type": "application/json" });
      response.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
    });
  }

  answer(query: string, reply: Reply): this {
    this.#replies.set(query, reply);
    return this;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}

const stubs: StubPrometheus[] = [];

afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});

async function served(stub: StubPrometheus, queries: PrometheusQueries = DEFAULT_QUERIES): Promise<PrometheusSource> {
  stubs.push(stub);
  return new PrometheusSource({ url: `${await stub.listen()}/`, queries });
}

describe("PrometheusSource", () => {
  it("sends one instant query per signal at `now`, in seconds", async () => {
    const stub = new StubPrometheus();
    const source = await served(stub);
    await source.sample(NOW);
    expect(stub.requests.map((url) => url.pathname)).toEqual(Array(7).fill("/api/v1/query"));
    expect(stub.requests.map((url) => url.searchParams.get("query")).sort()).toEqual(
      Object.values(DEFAULT_QUERIES).sort(),
    );
    expect(new Set(stub.requests.map((url) => url.searchParams.get("time")))).toEqual(new Set(["1772452800.5"]));
  });

  it("reads nodes and VMs into samples, CPU cores as millicores", async () => {
    const stub = new StubPrometheus()
      .answer(DEFAULT_QUERIES.nodeCpu, vector([{ node: "node-a" }, "2.32"], [{ instance: "node-b:9100" }, "0.32"]))
      .answer(DEFAULT_QUERIES.nodeMemory, vector([{ node: "node-a" }, String(6 * GiB)]))
      .answer(DEFAULT_QUERIES.nodeCpuPressure, vector([{ node: "node-a" }, "0.125"]))
      .answer(DEFAULT_QUERIES.vmCpu, vector([{ namespace: "tenant", name: "db" }, "2"]))
      .answer(DEFAULT_QUERIES.vmMemory, vector([{ namespace: "tenant", name: "db" }, String(4 * GiB)]))
      .answer(DEFAULT_QUERIES.vmDirtyRate, vector([{ namespace: "tenant", name: "db" }, "1048576"]))
      .answer(DEFAULT_QUERIES.vmVcpuDelay, vector([{ namespace: "tenant", name: "web" }, "0.05"]));
    const sample = await (await served(stub)).sample(NOW);
    expect(sample.at).toBe(NOW);
    expect(sample.nodes).toEqual(
      new Map([
        ["node-a", { cpuMillicores: 2320, memoryBytes: 6 * GiB, cpuPressure: 0.125 }],
        ["node-b", { cpuMillicores: 320 }],
      ]),
    );
    expect(sample.vms).toEqual(
      new Map([
        ["tenant/db", { cpuMillicores: 2000, memoryBytes: 4 * GiB, dirtyRate: 1048576 }],
        ["tenant/web", { vcpuDelay: 0.05 }],
      ]),
    );
    expect(sample.warnings).toEqual([]);
  });

  it("adds up series of the same object, as `sum by` would", async () => {
    const stub = new StubPrometheus().answer(
      "per_cpu",
      vector([{ node: "node-a", cpu: "0" }, "0.5"], [{ node: "node-a", cpu: "1" }, "0.25"]),
    );
    const sample = await (await served(stub, { nodeCpu: "per_cpu" })).sample(NOW);
    expect(sample.nodes.get("node-a")).toEqual({ cpuMillicores: 750 });
  });

  it("runs only the queries that are set", async () => {
    const stub = new StubPrometheus();
    await (await served(stub, { vmCpu: "up", nodeCpu: "" })).sample(NOW);
    expect(stub.requests.map((url) => url.searchParams.get("query"))).toEqual(["up"]);
  });

  it("skips series it cannot place or read, with warnings naming them", async () => {
    const stub = new StubPrometheus()
      .answer("cpu", vector([{ job: "node" }, "1"], [{ node: "node-a" }, "NaN"], [{ node: "node-b" }, "1"]))
      .answer("mem", vector([{ name: "db" }, "5"]));
    const sample = await (await served(stub, { nodeCpu: "cpu", vmMemory: "mem" })).sample(NOW);
    expect(sample.nodes).toEqual(new Map([["node-b", { cpuMillicores: 1000 }]]));
    expect(sample.vms.size).toBe(0);
    expect(sample.warnings).toEqual([
      'nodeCpu: skipped series {"job":"node"}: it names no object',
      'nodeCpu: skipped node-a: value "NaN" is not a number',
      'vmMemory: skipped series {"name":"db"}: it names no object',
    ]);
  });

  it("passes Prometheus's own warnings on", async () => {
    const reply = vector([{ node: "node-a" }, "1"]);
    const stub = new StubPrometheus().answer("cpu", {
      body: { ...(reply.body as object), warnings: ["PromQL info: metric might not be a counter"] },
    });
    const sample = await (await served(stub, { nodeCpu: "cpu" })).sample(NOW);
    expect(sample.warnings).toEqual(["nodeCpu: PromQL info: metric might not be a counter"]);
  });

  it.each([
    {
      name: "an error answer",
      reply: {
        status: 400,
        body: { status: "error", errorType: "bad_data", error: 'invalid parameter "query": parse error' },
      },
      message:
        /Prometheus query vmCpu \(GET http:.*\/api\/v1\/query\?query=bad.*\) failed: HTTP 400: bad_data: invalid parameter "query": parse error/,
    },
    {
      name: "an unavailable server",
      reply: { status: 503, body: "Service Unavailable" },
      message: /Prometheus query vmCpu .* failed: HTTP 503$/,
    },
    {
      name: "a matrix",
      reply: { body: { status: "success", data: { resultType: "matrix", result: [] } } },
      message: /vmCpu .* failed: the query returns matrix, not an instant vector/,
    },
    {
      name: "a scalar",
      reply: { body: { status: "success", data: { resultType: "scalar", result: [NOW / 1000, "1"] } } },
      message: /vmCpu .* failed: the query returns scalar, not an instant vector/,
    },
    {
      name: "something that is not the Prometheus API",
      reply: { body: "<html>login</html>" },
      message: /vmCpu .* failed: the response is not a Prometheus API answer/,
    },
  ])("fails naming the query on $name", async ({ reply, message }) => {
    const stub = new StubPrometheus().answer("bad", reply);
    const source = await served(stub, { vmCpu: "bad", nodeCpu: "up" });
    const failure = source.sample(NOW);
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toBeInstanceOf(PrometheusQueryError);
    await expect(failure).rejects.toMatchObject({ key: "vmCpu" });
  });

  it("names every query that failed", async () => {
    const error = { status: 422, body: { status: "error", errorType: "execution", error: "too many samples" } };
    const stub = new StubPrometheus().answer("a", error).answer("b", error);
    const failure = (await served(stub, { vmCpu: "a", nodeMemory: "b", nodeCpu: "ok" })).sample(NOW);
    await expect(failure).rejects.toThrow(/nodeMemory .*too many samples.*; Prometheus query vmCpu .*too many samples/);
  });

  it("fails naming the query and URL when Prometheus cannot be reached", async () => {
    const stub = new StubPrometheus();
    const url = await stub.listen();
    await stub.close();
    const source = new PrometheusSource({ url, queries: { nodeCpu: "up" } });
    await expect(source.sample(NOW)).rejects.toThrow(
      `Prometheus query nodeCpu (GET ${url}/api/v1/query?query=up&time=`,
    );
  });

  it("uses the fetch it is given", async () => {
    const seen: string[] = [];
    const fetchStub: typeof fetch = (input) => {
      seen.push(input instanceof Request ? input.url : input.toString());
      return Promise.resolve(Response.json(vector([{ node: "n" }, "1"]).body));
    };
    const source = new PrometheusSource({
      url: "http://prom:9090/prefix",
      queries: { nodeCpu: "up" },
      fetch: fetchStub,
    });
    expect((await source.sample(NOW)).nodes.get("n")).toEqual({ cpuMillicores: 1000 });
    expect(seen).toEqual(["http://prom:9090/prefix/api/v1/query?query=up&time=1772452800.5"]);
  });
});

describe("nodeOfSeries", () => {
  it.each([
    { labels: { node: "node-a", instance: "10.0.0.1:9100" }, node: "node-a" },
    { labels: { instance: "node-b:9100" }, node: "node-b" },
    { labels: { instance: "node-c" }, node: "node-c" },
    { labels: { instance: "[fd00::1]:9100" }, node: "fd00::1" },
    { labels: { instance: "fd00::1" }, node: "fd00::1" },
    { labels: { job: "node" }, node: undefined },
  ])("$labels names $node", ({ labels, node }) => {
    expect(nodeOfSeries(labels)).toBe(node);
  });
});
