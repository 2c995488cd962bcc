/**
 * `kubedrs twin` serves a scenario and writes a kubeconfig that client-node uses as is, then stops
 * at the end of the scenario's time; `twin inject` and `twin status` reach a running twin through
 * that kubeconfig; bad input ends with exit 1 and a message, never a stack trace.
 */
import { access, writeFile } from "node:fs/promises";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TwinControl } from "../../../src/twin/control/index.ts";
import { applyScenario } from "../../../src/twin/scenario/index.ts";
import { twinKubeconfig } from "../../../src/twin/kubeconfig.ts";
import { Twin } from "../../../src/twin/twin.ts";
import { type CliRun, kubedrs, lines, reportedErrors, scratch } from "../../cli/run-cli.ts";
import { decoded, scenarioDocument, textAt } from "../scenario/builders.ts";

const STACK_FRAME = /^\s+at .+[:(]\d+/m;

function expectUserError(run: CliRun): void {
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^error: /);
  expect(run.stderr).not.toMatch(STACK_FRAME);
}

async function waitForFile(path: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      await access(path);
      return;
    } catch {
      if (performance.now() > deadline) throw new Error(`${path} did not appear`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

let dir: Awaited<ReturnType<typeof scratch>>;

beforeAll(async () => {
  dir = await scratch({
    "bad.yaml": lines(
      "apiVersion: kubedrs.io/v1alpha1",
      "kind: TwinScenario",
      "metadata: { name: bad }",
      "spec:",
      "  duration: 1h",
      "  nodePools:",
      "    - { name: node, count: 2, cpu: icelake, cores: 8, memory: lots }", // line 7: not a quantity
      "  events:",
      "    - { at: 5m, type: power-off, node: node-07 }", // line 9: no such node
    ),
  });
});

afterAll(async () => {
  await dir.remove();
});

describe("kubedrs twin", () => {
  it("serves the scenario and writes a kubeconfig client-node uses as is, until interrupted", async () => {
    const kubeconfig = dir.path("demo.kubeconfig");
    const running = kubedrs(
      "twin",
      "--scenario",
      "demo",
      "--speed",
      "60",
      "--duration",
      "0",
      "--kubeconfig",
      kubeconfig,
    );
    await waitForFile(kubeconfig);
    const config = new KubeConfig();
    config.loadFromFile(kubeconfig);
    const namespaces = await config.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((ns) => ns.metadata?.name)).toEqual(
      expect.arrayContaining(["default", "kube-system", "shop"]),
    );
    // What Ctrl-C does; the worker has no other SIGINT listener, so only the twin hears it.
    process.emit("SIGINT");
    const run = await running;
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/serving http:\/\/127\.0\.0\.1:\d+ at 60× speed, until Ctrl-C/);
    expect(run.stdout).toContain(`kubeconfig: ${kubeconfig}`);
    expect(run.stdout).toMatch(/twin "demo" stopped at .* of virtual time in [\d.]+ s of wall time; \d+ migrations/);
  });

  it("stops at the end of the virtual time it was given", async () => {
    const run = await kubedrs(
      "twin",
      "--scenario",
      "demo",
      "--speed",
      "120",
      "--duration",
      "30s",
      "--kubeconfig",
      dir.path("short.kubeconfig"),
    );
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(
      /twin "demo" stopped at 2026-11-22T08:00:30Z: 30s of virtual time in [\d.]+ s of wall time/,
    );
  });

  it.each([
    ["no scenario", []],
    ["an unknown scenario", ["--scenario", "no-such-scenario"]],
    ["a speed of zero", ["--scenario", "demo", "--speed", "0"]],
    ["a bad duration", ["--scenario", "demo", "--duration", "soon"]],
  ])("refuses %s", async (_name, args) => {
    const run = await kubedrs("twin", ...args, "--kubeconfig", dir.path("never.kubeconfig"));
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it("names the file, line and field of a problem in a malformed scenario", async () => {
    const run = await kubedrs("twin", "--scenario", dir.path("bad.yaml"), "--kubeconfig", dir.path("never.kubeconfig"));
    expectUserError(run);
    expect(reportedErrors(run.stderr)).toEqual([
      expect.objectContaining({ file: "bad.yaml", line: 7, path: "spec.nodePools[0].memory", type: "Invalid" }),
    ]);
  });
});

describe("kubedrs twin inject and status", () => {
  let twin: Twin;
  let kubeconfig: string;

  beforeAll(async () => {
    const scenario = decoded(scenarioDocument());
    const control = new TwinControl();
    twin = Twin.create({ seed: 1, start: scenario.document.spec.start, routes: control.routes });
    control.attach(twin.runtime, 1);
    control.describe(applyScenario(twin, scenario));
    await twin.listen(0);
    kubeconfig = dir.path("inject.kubeconfig");
    await writeFile(kubeconfig, twin.kubeconfig());
  });

  afterAll(async () => {
    await twin.stop();
  });

  it("injects an event into the running twin", async () => {
    const run = await kubedrs("twin", "inject", "--kubeconfig", kubeconfig, "partition", "node-01", "--for", "5m");
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toBe("injected partition on node-01 at 2026-11-22T08:00:00Z (virtual time)\n");
    expect(twin.runtime.truth.host("node-01")?.networked).toBe(false);
  });

  it("changes a VM's load", async () => {
    const run = await kubedrs("twin", "inject", "--kubeconfig", kubeconfig, "load", "apps/web-02", "2.5");
    expect(run.code).toBe(0);
    const vm = twin.runtime.store.get(twin.runtime.resources.virtualMachines, "apps", "web-02");
    expect(textAt(vm, "spec", "template", "metadata", "annotations", "twin.kubedrs.io/load-factor")).toBe("2.5");
  });

  it("shows the twin's status", async () => {
    // Cut node-01 off here too, so the test stands alone (the inject test may run or not).
    twin.runtime.truth.setHost("node-01", { networked: false });
    const run = await kubedrs("twin", "status", "--kubeconfig", kubeconfig);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("4 hosts, 1 not healthy; 0 split-brains");
    expect(run.stdout).toContain("node-01: powered, PARTITIONED");
  });

  it.each([
    ["an unknown event", ["explode", "node-01"], /unknown event "explode"/],
    ["an unknown node", ["power-off", "node-99"], /node: no node named "node-99"/],
    ["an invalid duration", ["partition", "node-01", "--for", "soon"], /for: .*not a valid duration/],
  ])("refuses %s", async (_name, words, message) => {
    const run = await kubedrs("twin", "inject", "--kubeconfig", kubeconfig, ...words);
    expectUserError(run);
    expect(run.stderr).toMatch(message);
  });

  it("says when no twin answers", async () => {
    const stale = dir.path("stale.kubeconfig");
    await writeFile(stale, twinKubeconfig("http://127.0.0.1:9"));
    const run = await kubedrs("twin", "inject", "--kubeconfig", stale, "heal", "node-01");
    expectUserError(run);
    expect(run.stderr).toContain("cannot reach the twin");
  });
});
