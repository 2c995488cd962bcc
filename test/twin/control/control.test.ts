/**
 * The control endpoint under /twin/v1: status, the event log, and events injected while the twin
 * runs, with Kubernetes Status answers to bad requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TwinControl } from "../../../src/twin/control/index.ts";
import { applyScenario } from "../../../src/twin/scenario/index.ts";
import { Twin } from "../../../src/twin/twin.ts";
import { decoded, scenarioDocument, textAt } from "../scenario/builders.ts";

let twin: Twin;
let url: string;

beforeAll(async () => {
  const scenario = decoded(scenarioDocument());
  const control = new TwinControl();
  twin = Twin.create({ seed: 1, start: scenario.document.spec.start, routes: control.routes });
  control.attach(twin.runtime, 60);
  control.describe(applyScenario(twin, scenario));
  url = await twin.listen(0);
});

afterAll(async () => {
  await twin.stop();
});

// Response bodies are whatever the endpoint sent; the tests look into them with expect's matchers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Body; type: string }> {
  const response = await fetch(`${url}/twin/v1/${path}`, init);
  const type = response.headers.get("content-type") ?? "";
  const body = type.startsWith("application/json") ? await response.json() : await response.text();
  return { status: response.status, body, type };
}

function post(event: unknown): Promise<{ status: number; body: Body }> {
  return call("events", { method: "POST", body: typeof event === "string" ? event : JSON.stringify(event) });
}

describe("GET /twin/v1/status", () => {
  it("reports the scenario, virtual time, speed, hosts and counts", async () => {
    const { status, body } = await call("status");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      apiVersion: "twin.kubedrs.io/v1",
      kind: "TwinStatus",
      scenario: { name: "test", nodes: 4, vms: 6 },
      speed: 60,
      splitBrains: 0,
      migrations: { created: 0, succeeded: 0, failed: 0 },
      objects: { nodes: 4, virtualmachines: 6 },
    });
    expect(body.hosts).toHaveLength(4);
    expect(body.hosts[0]).toMatchObject({ name: "node-01", powered: true, networked: true, bmcReachable: true });
  });
});

describe("GET /twin/v1/log", () => {
  it("pages through the log lines", async () => {
    const { body: all } = await call("log");
    expect(all.kind).toBe("TwinLog");
    expect(all.lines[0]).toBe("2026-11-22T08:00:00Z NOTE TwinScenario test apply");
    const { body: page } = await call("log?since=1&limit=2");
    expect(page.lines).toEqual((all.lines as string[]).slice(1, 3));
  });

  it("serves plain text on request", async () => {
    const { type, body } = await call("log?format=text&limit=1");
    expect(type).toMatch(/^text\/plain/);
    expect(body).toBe("2026-11-22T08:00:00Z NOTE TwinScenario test apply\n");
  });
});

describe("POST /twin/v1/events", () => {
  it("applies an event at once and logs it as injected", async () => {
    const { status, body } = await post({ type: "partition", node: "node-02" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ kind: "TwinEventReceipt", at: "2026-11-22T08:00:00Z", targets: ["node-02"] });
    expect(twin.runtime.truth.host("node-02")?.networked).toBe(false);
    expect(twin.runtime.log.lines()).toContain("2026-11-22T08:00:00Z NOTE TwinEvent node-02 partition [control]");
  });

  it("undoes an injected event after its duration in virtual time", async () => {
    await post({ type: "power-off", node: "node-03", for: "2m" });
    expect(twin.runtime.truth.host("node-03")?.powered).toBe(false);
    twin.advance(120_000);
    expect(twin.runtime.truth.host("node-03")?.powered).toBe(true);
  });

  it("changes a VM's load", async () => {
    const { status, body } = await post({ type: "load-spike", vm: "apps/web-03", factor: 2.5 });
    expect(status).toBe(201);
    expect(body.targets).toEqual(["apps/web-03"]);
    const vm = twin.runtime.store.get(twin.runtime.resources.virtualMachines, "apps", "web-03");
    expect(textAt(vm, "spec", "template", "metadata", "annotations", "twin.kubedrs.io/load-factor")).toBe("2.5");
  });

  it.each([
    ["a body that is not JSON", "{type:", 400, "BadRequest", undefined],
    ["a body that is not an object", [{ type: "heal", node: "node-01" }], 400, "BadRequest", undefined],
    [
      "an unknown event type",
      { type: "explode", node: "node-01" },
      422,
      "Invalid",
      { field: "type", reason: "NotSupported" },
    ],
    ["an unknown node", { type: "heal", node: "node-99" }, 422, "Invalid", { field: "node", reason: "NotSupported" }],
    ["a missing field", { type: "load-spike", group: "web" }, 422, "Invalid", { field: "factor", reason: "Required" }],
    [
      "a scenario's `at`",
      { type: "heal", node: "node-01", at: "5m" },
      422,
      "Invalid",
      { field: "at", reason: "Forbidden" },
    ],
  ])("answers %s with a Status", async (_name, event, code, reason, cause) => {
    const { status, body } = await post(event);
    expect(status).toBe(code);
    expect(body).toMatchObject({ kind: "Status", status: "Failure", code, reason });
    if (cause) expect(body.details.causes).toContainEqual(expect.objectContaining(cause));
  });
});

describe("other requests", () => {
  it.each([
    ["an unknown path", "nodes", "GET", 404],
    ["the wrong method", "status", "DELETE", 405],
  ])("answers %s with a Status", async (_name, path, method, code) => {
    const { status, body } = await call(path, { method });
    expect(status).toBe(code);
    expect(body.kind).toBe("Status");
  });

  it("serves the Kubernetes API next to the control routes", async () => {
    const response = await fetch(`${url}/api/v1/nodes`);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(4);
  });
});
