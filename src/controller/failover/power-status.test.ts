import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PowerQuery } from "../../core/failover/detect.ts";
import { redfishRoute } from "../../twin/kube/bmc/redfish.ts";
import { HostTruth } from "../../twin/runtime/truth.ts";
import { type BasicCredentials, PowerStatusReader, type PowerReadingDoc } from "./power-status.ts";

const NOW = Date.parse("2026-11-22T08:10:30Z");

/** The twin's BMCs on a server of their own, recording each request's headers. */
let server: Server;
let base = "";
const truth = new HostTruth();
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  for (const node of ["on", "off", "dark"]) truth.addHost(node);
  truth.setHost("off", { powered: false });
  truth.setHost("dark", { powered: false, bmcReachable: false });
  const route = redfishRoute(truth);
  server = createServer((request, response) => {
    seen.push(request.headers);
    void route.handle(request, response, new URL(request.url ?? "/", "http://bmc"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/redfish/v1/Systems`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Lets requests in flight reach the BMC and their answers come back. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 200));
}

function query(node: string, interval = 2): PowerQuery {
  return { node, url: `${base}/${node}`, insecureSkipTLSVerify: false, timeout: 2, interval };
}

interface Harness {
  readonly reader: PowerStatusReader;
  /** Resolves with the readings after `count` answers. */
  readonly answers: (count: number) => Promise<ReadonlyMap<string, PowerReadingDoc>>;
  readonly clock: { now: number };
}

function harness(credentials?: BasicCredentials, maxInFlight?: number): Harness {
  const clock = { now: NOW };
  let answered = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const reader = new PowerStatusReader({
    now: () => clock.now,
    credentials: () => Promise.resolve(credentials),
    onReading: () => {
      answered += 1;
      for (const waiter of waiters.filter((entry) => entry.count <= answered)) waiter.resolve();
    },
    log: pino({ level: "silent" }),
    ...(maxInFlight !== undefined && { maxInFlight }),
  });
  const answers = async (count: number): Promise<ReadonlyMap<string, PowerReadingDoc>> => {
    if (answered < count) await new Promise<void>((resolve) => waiters.push({ count, resolve }));
    return reader.current();
  };
  return { reader, answers, clock };
}

describe("PowerStatusReader against the twin's Redfish BMCs", () => {
  it("reads On and Off, and a BMC that drops the connection as Unknown, each observed at the controller's time", async () => {
    const { reader, answers } = harness();
    reader.ask([query("on"), query("off"), query("dark")]);
    const readings = await answers(3);
    const at = new Date(NOW).toISOString();
    expect(readings.get("on")).toEqual({ state: "On", observedAt: at, detail: "Redfish" });
    expect(readings.get("off")).toEqual({ state: "Off", observedAt: at, detail: "Redfish" });
    expect(readings.get("dark")).toMatchObject({ state: "Unknown", observedAt: at });
    expect(readings.get("dark")?.detail).toMatch(/^Redfish: /);
  });

  it("reads a system the BMC does not know as Unknown, naming the HTTP status", async () => {
    const { reader, answers } = harness();
    reader.ask([query("nowhere")]);
    expect((await answers(1)).get("nowhere")).toMatchObject({ state: "Unknown", detail: "Redfish answered HTTP 404" });
  });

  it("asks a BMC again only after its interval, and forgets nodes no longer queried", async () => {
    const { reader, answers, clock } = harness();
    const before = seen.length;
    reader.ask([query("on", 5)]);
    await answers(1);
    await settle();
    clock.now += 4_000;
    reader.ask([query("on", 5)]);
    // Long enough for a request, had one gone out, to reach the BMC.
    await settle();
    expect(seen.length - before).toBe(1);
    clock.now += 1_000;
    reader.ask([query("on", 5)]);
    await answers(2);
    expect(seen.length - before).toBe(2);
    reader.ask([]);
    expect(reader.current().size).toBe(0);
  });

  it("drops an answer for a node no longer asked about (its Lease came back meanwhile)", async () => {
    const { reader } = harness();
    const before = seen.length;
    reader.ask([query("off")]);
    reader.ask([]);
    await settle();
    expect(seen.length - before).toBe(1);
    expect(reader.current().size).toBe(0);
  });

  it("keeps at most maxInFlight queries out, and asks the ones left over first on the next round", async () => {
    const { reader, answers } = harness(undefined, 2);
    const before = seen.length;
    reader.ask([query("on"), query("off"), query("dark")]);
    // Long enough for a third request, had one gone out, to reach the BMC.
    await settle();
    expect(seen.length - before).toBe(2);
    expect([...(await answers(2)).keys()].sort()).toEqual(["off", "on"]);
    // The next round: "on" and "off" wait out their interval, "dark" was never asked.
    reader.ask([query("on"), query("off"), query("dark")]);
    expect((await answers(3)).get("dark")?.state).toBe("Unknown");
    expect(seen.length - before).toBe(3);
  });

  it("gives a free slot to the node asked longest ago, so none waits forever behind the others", async () => {
    const { reader, answers, clock } = harness(undefined, 1);
    reader.ask([query("on"), query("off")]);
    await answers(1);
    clock.now += 5_000;
    // Both are past their interval now; "off" was never asked.
    reader.ask([query("on"), query("off")]);
    expect([...(await answers(2)).keys()].sort()).toEqual(["off", "on"]);
    clock.now += 5_000;
    // Listed first, "off" was asked later than "on": "on" goes.
    reader.ask([query("off"), query("on")]);
    await answers(3);
    expect(reader.current().get("on")?.observedAt).toBe(new Date(clock.now).toISOString());
  });

  it("sends the Secret's credentials as HTTP Basic", async () => {
    const { reader, answers } = harness({ username: "admin", password: "s3cret" });
    const before = seen.length;
    reader.ask([query("on")]);
    await answers(1);
    expect(seen[before]?.authorization).toBe(`Basic ${Buffer.from("admin:s3cret").toString("base64")}`);
  });
});
