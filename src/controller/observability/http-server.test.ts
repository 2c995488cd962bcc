/** The health and metrics endpoint over real HTTP on a free port: probe answers, metrics exposition, errors. */
import { Gauge, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { type HealthServer, startHealthServer } from "./http-server.ts";

interface Probes {
  live: () => boolean;
  ready: () => string | undefined;
}

const servers: HealthServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(probes: Partial<Probes> = {}, registry = new Registry()): Promise<string> {
  const server = await startHealthServer({
    port: 0,
    host: "127.0.0.1",
    registry,
    live: probes.live ?? (() => true),
    ready: probes.ready ?? (() => undefined),
  });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

async function get(url: string, init?: RequestInit): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text(), type: response.headers.get("content-type") };
}

describe("probes", () => {
  it.each([
    { path: "/healthz", probes: {}, status: 200, body: "ok" },
    { path: "/healthz", probes: { live: () => false }, status: 500, body: "not live" },
    { path: "/readyz", probes: {}, status: 200, body: "ok" },
    {
      path: "/readyz",
      probes: { ready: () => "following replica-a; the leader acts" },
      status: 503,
      body: "following replica-a; the leader acts",
    },
    { path: "/healthz?verbose", probes: {}, status: 200, body: "ok" },
    {
      path: "/readyz",
      probes: {
        ready: () => {
          throw new Error("informers not started");
        },
      },
      status: 503,
      body: "readyz check failed: informers not started",
    },
    {
      path: "/healthz",
      probes: {
        live: () => {
          throw new Error("loop state unreadable");
        },
      },
      status: 500,
      body: "healthz check failed: loop state unreadable",
    },
  ])("GET $path answers $status $body", async ({ path, probes, status, body }) => {
    const base = await serve(probes);
    expect(await get(base + path)).toEqual({ status, body, type: "text/plain; charset=utf-8" });
  });

  it("asks the probes afresh on every request", async () => {
    let reason: string | undefined = "starting";
    const base = await serve({ ready: () => reason });
    const before = await get(`${base}/readyz`);
    reason = undefined;
    const after = await get(`${base}/readyz`);

    expect([before.status, after.status]).toEqual([503, 200]);
  });
});

describe("/metrics", () => {
  it("serves the registry's exposition with its content type", async () => {
    const registry = new Registry();
    new Gauge({ name: "kubedrs_leader", help: "leader", registers: [registry] }).set(1);
    const base = await serve({}, registry);
    const reply = await get(`${base}/metrics`);

    expect(reply.status).toBe(200);
    expect(reply.type).toBe(registry.contentType);
    expect(reply.body).toContain("# TYPE kubedrs_leader gauge\nkubedrs_leader 1");
  });
});

describe("everything else", () => {
  it.each([
    { name: "an unknown path", path: "/", init: undefined, status: 404, body: /^not found: \/; try \/healthz/ },
    { name: "a POST", path: "/metrics", init: { method: "POST" }, status: 405, body: /answers GET only/ },
  ])("answers $name with $status", async ({ path, init, status, body }) => {
    const base = await serve();
    const reply = await get(base + path, init);

    expect(reply.status).toBe(status);
    expect(reply.body).toMatch(body);
  });

  it("answers HEAD like GET, without a body", async () => {
    const base = await serve({ live: () => false });
    expect(await get(`${base}/healthz`, { method: "HEAD" })).toMatchObject({ status: 500, body: "" });
  });
});

describe("lifecycle", () => {
  it("refuses a port already taken, naming it", async () => {
    const first = await startHealthServer({
      port: 0,
      host: "127.0.0.1",
      registry: new Registry(),
      live: () => true,
      ready: () => undefined,
    });
    servers.push(first);
    const second = startHealthServer({
      port: first.port,
      host: "127.0.0.1",
      registry: new Registry(),
      live: () => true,
      ready: () => undefined,
    });

    await expect(second).rejects.toThrow(
      `health server could not listen on 127.0.0.1:${first.port}: listen EADDRINUSE`,
    );
  });

  it("closes with a keep-alive connection open, and stops answering", async () => {
    const server = await startHealthServer({
      port: 0,
      host: "127.0.0.1",
      registry: new Registry(),
      live: () => true,
      ready: () => undefined,
    });
    const url = `http://127.0.0.1:${server.port}/healthz`;
    expect((await get(url)).status).toBe(200);
    await server.close();

    await expect(fetch(url)).rejects.toThrow();
  });
});
