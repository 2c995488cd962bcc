/**
 * Host-failure drills on the twin, with the controller running: the twin keeps the ground truth
 * (which hosts really run each guest), so a second copy of a VM anywhere is counted as a
 * split-brain. Paced at 10× so detection and fencing timeouts are not swallowed by the
 * controller's one-second rounds.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningController, startController } from "../../src/controller/run.ts";
import { endpointFromKubeconfig, getStatus, postEvent } from "../../src/twin/control/client.ts";
import { kubedrs } from "../cli/run-cli.ts";
import { type ScenarioTwin, sleep, startLibraryTwin, until, vmisOn } from "./controller-fixture.ts";

const POLICIES = `apiVersion: kubedrs.io/v1alpha1
kind: FailoverPolicy
metadata: { name: ha }
spec:
  maxUnhealthy: 40%
  fencing:
    strategies:
      - { type: FenceAgents, template: fence-ipmi, timeout: 90s }
---
apiVersion: kubedrs.io/v1alpha1
kind: BalancePolicy
metadata: { name: quiet }
spec: { automation: Recommend, schedule: { cron: "0 0 * * *" } }
`;

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Drill {
  readonly cluster: ScenarioTwin;
  readonly running: RunningController;
  readonly inject: (event: Record<string, unknown>) => Promise<void>;
  readonly splitBrains: () => Promise<number>;
}

/** `policy` is the policy text, or makes it from the twin's URL (where its BMCs answer Redfish). */
async function drill(policy: string | ((twinUrl: string) => string) = POLICIES): Promise<Drill> {
  const cluster = await startLibraryTwin("host-failure", { withoutEvents: true, speed: 10 });
  cleanups.push(() => cluster.close());
  const policies = await mkdtemp(join(tmpdir(), "kubedrs-failover-"));
  cleanups.push(() => rm(policies, { recursive: true, force: true }));
  const endpoint = endpointFromKubeconfig(cluster.kubeconfig);
  await writeFile(join(policies, "policies.yaml"), typeof policy === "string" ? policy : policy(endpoint.server));
  await cluster.kubectl.ok("wait", "--for=jsonpath={.status.phase}=Running", "vmi", "--all", "-A", "--timeout=60s");
  const running = await startController({
    kubeconfig: cluster.kubeconfig,
    policies,
    clock: "twin",
    identity: "failover-test",
    logLevel: "silent",
  });
  cleanups.push(() => running.stop());
  return {
    cluster,
    running,
    inject: async (event) => {
      await postEvent(endpoint, event);
    },
    splitBrains: async () => ((await getStatus(endpoint)) as { splitBrains: number }).splitBrains,
  };
}

interface IncidentView {
  phase: string;
  reason: string;
  failedAt: string;
  fencedAt?: string;
  vms: string[];
  restarted: { vm: string; node: string; at: string }[];
}

async function incident(cluster: ScenarioTwin, node: string): Promise<IncidentView | undefined> {
  const text = await cluster.kubectl.ok(
    "get",
    "node",
    node,
    "-o",
    "jsonpath={.metadata.annotations.kubedrs\\.io/incident}",
  );
  return text.trim() === "" ? undefined : (JSON.parse(text) as IncidentView);
}

/**
 * kubedrs stamps its incident from its own reading of the twin's clock (read once a wall second and
 * extrapolated), the twin its objects from the clock itself; at speed 10 under load the two differ by
 * a fraction of a virtual second, and conditions carry whole seconds.
 */
const CLOCK_SLACK_MS = 2_000;

/** The lastTransitionTime of the node's Ready condition. */
async function readyTransition(cluster: ScenarioTwin, node: string): Promise<string> {
  const path = 'jsonpath={.status.conditions[?(@.type=="Ready")].lastTransitionTime}';
  return cluster.kubectl.ok("get", "node", node, "-o", path);
}

/** When the node's FenceAgentsRemediation turned Succeeded=True, and when it was created (ms since the epoch). */
async function farSucceededAt(cluster: ScenarioTwin, node: string): Promise<number> {
  const path = 'jsonpath={.status.conditions[?(@.type=="Succeeded")].lastTransitionTime}';
  return Date.parse(await cluster.kubectl.ok("get", "far", "-n", "medik8s", node, "-o", path));
}

async function farCreatedAt(cluster: ScenarioTwin, node: string): Promise<number> {
  const path = "jsonpath={.metadata.creationTimestamp}";
  return Date.parse(await cluster.kubectl.ok("get", "far", "-n", "medik8s", node, "-o", path));
}

describe("host failure on the twin", () => {
  it("power loss: fences through the BMC first, then every VM runs elsewhere, once", async () => {
    const { cluster, inject, splitBrains } = await drill();
    const before = await vmisOn(cluster, "node-03");
    expect(before.length).toBeGreaterThan(0);
    await inject({ type: "power-off", node: "node-03" });
    const done = await until("recovery", async () => {
      const current = await incident(cluster, "node-03");
      return current?.phase === "Recovered" ? current : undefined;
    });
    expect(done.vms.sort()).toEqual(before.sort());
    expect(done.fencedAt).toBeDefined();
    // kubedrs declared the host fenced only once the fence agent had confirmed it.
    expect(Date.parse(done.fencedAt ?? "")).toBeGreaterThanOrEqual(
      (await farSucceededAt(cluster, "node-03")) - CLOCK_SLACK_MS,
    );
    for (const restart of done.restarted) expect(restart.node).not.toBe("node-03");
    expect(await splitBrains()).toBe(0);
    const listed = await kubedrs("incidents", "--kubeconfig", cluster.kubeconfig);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`node-03\\s+Recovered\\s+\\S+\\s+\\S+\\s+${before.length}/${before.length}`),
    );
  }, 120_000);

  it("power loss seen through the BMC: failed on the Lease and Redfish's Off before Ready turns, then restarted", async () => {
    const withBmc = (twinUrl: string): string =>
      POLICIES.replace(
        "  maxUnhealthy: 40%",
        `  maxUnhealthy: 40%\n  detection:\n    powerStatus: { type: Redfish, systemUrl: "${twinUrl}/redfish/v1/Systems/{node}" }`,
      );
    const { cluster, inject, splitBrains } = await drill(withBmc);
    const before = await vmisOn(cluster, "node-03");
    const readySince = await readyTransition(cluster, "node-03");
    await inject({ type: "power-off", node: "node-03" });
    const done = await until("recovery", async () => {
      const current = await incident(cluster, "node-03");
      return current?.phase === "Recovered" ? current : undefined;
    });
    expect(done.reason).toMatch(/^failed: Lease not renewed .*; Ready=True; BMC reports power Off \(Redfish\)/);
    // Recovery can finish before the node-monitor grace runs out: wait for Ready's first turn since the fault.
    const readyChanged = await until("Ready to turn", async () => {
      const transition = await readyTransition(cluster, "node-03");
      return transition === readySince ? undefined : transition;
    });
    expect(Date.parse(done.failedAt)).toBeLessThan(Date.parse(readyChanged));
    expect(done.restarted.map((entry) => entry.vm).sort()).toEqual(before.sort());
    expect(await splitBrains()).toBe(0);
  }, 120_000);

  it("the same host failing again after it came back: a new incident, fenced by a new remediation, not the old one's verdict", async () => {
    const { cluster, inject, splitBrains } = await drill();
    await inject({ type: "power-off", node: "node-03" });
    const first = await until("the first recovery", async () => {
      const current = await incident(cluster, "node-03");
      return current?.phase === "Recovered" ? current : undefined;
    });
    const firstFar = await farCreatedAt(cluster, "node-03");
    // The fence agent rebooted the host; it comes back and renews its Lease.
    await cluster.kubectl.ok("wait", "--for=condition=Ready", "node/node-03", "--timeout=90s");
    await inject({ type: "power-off", node: "node-03" });
    const second = await until("a second incident to recover", async () => {
      const current = await incident(cluster, "node-03");
      const fresh = current && Date.parse(current.failedAt) > Date.parse(first.failedAt);
      return fresh && current.phase === "Recovered" ? current : undefined;
    });
    const secondFar = await farCreatedAt(cluster, "node-03");
    expect(secondFar).toBeGreaterThan(firstFar);
    expect(secondFar).toBeGreaterThanOrEqual(Date.parse(second.failedAt) - CLOCK_SLACK_MS);
    expect(Date.parse(second.fencedAt ?? "")).toBeGreaterThanOrEqual(
      (await farSucceededAt(cluster, "node-03")) - CLOCK_SLACK_MS,
    );
    expect(await splitBrains()).toBe(0);
  }, 180_000);

  it("restarts by priority: the other VMs are held back until the critical class runs, plus its readyDelay", async () => {
    const priorities = POLICIES.replace(
      "  maxUnhealthy: 40%",
      [
        "  maxUnhealthy: 40%",
        "  restart:",
        "    priorityClasses:",
        "      - { name: critical, value: 400 }",
        "      - { name: app, value: 300, startAfter: [critical], readyDelay: 20s }",
        "    defaultClass: app",
      ].join("\n"),
    );
    const { cluster, inject, splitBrains } = await drill(priorities);
    const critical = (await vmisOn(cluster, "node-03")).filter((vm) => vm.includes("critical"));
    expect(critical.length).toBe(2);
    for (const vm of critical) {
      const [namespace = "", name = ""] = vm.split("/");
      await cluster.kubectl.ok("label", "vmi", "-n", namespace, name, "kubedrs.io/restart-priority=critical");
    }
    await inject({ type: "power-off", node: "node-03" });
    const done = await until("recovery", async () => {
      const current = await incident(cluster, "node-03");
      return current?.phase === "Recovered" ? current : undefined;
    });
    const at = (vm: string): number => Date.parse(done.restarted.find((entry) => entry.vm === vm)?.at ?? "");
    const criticalRunning = Math.max(...critical.map(at));
    const others = done.vms.filter((vm) => !critical.includes(vm));
    expect(others.length).toBeGreaterThan(0);
    for (const vm of others) expect(at(vm)).toBeGreaterThanOrEqual(criticalRunning + 20_000);
    // Every held VM has its own run strategy back and no hold left on it.
    const strategies = await cluster.kubectl.ok(
      "get",
      "vm",
      "-A",
      "-o",
      "jsonpath={range .items[*]}{.spec.runStrategy} {.metadata.annotations.kubedrs\\.io/held-run-strategy}{'\\n'}{end}",
    );
    expect(
      strategies
        .split("\n")
        .filter(Boolean)
        .every((line) => line.trim() === "Always"),
    ).toBe(true);
    expect(await splitBrains()).toBe(0);
  }, 120_000);

  it("a BMC that is down with its host: fencing is never confirmed, so nothing restarts", async () => {
    const { cluster, inject, splitBrains } = await drill();
    const before = await vmisOn(cluster, "node-03");
    await inject({ type: "bmc-unreachable", node: "node-03" });
    await inject({ type: "power-off", node: "node-03" });
    const failed = await until("fencing to give up", async () => {
      const current = await incident(cluster, "node-03");
      return current?.phase === "FencingFailed" ? current : undefined;
    });
    expect(failed.restarted).toEqual([]);
    // The API still places every VMI on the dead host: none was released.
    expect((await vmisOn(cluster, "node-03")).sort()).toEqual(before.sort());
    expect(await splitBrains()).toBe(0);
  }, 120_000);

  it("a BMC down with its host, escalating to SelfNodeRemediation: restarted only after SNR's safe time", async () => {
    const escalating = POLICIES.replace(
      "      - { type: FenceAgents, template: fence-ipmi, timeout: 90s }",
      [
        "      - { type: FenceAgents, template: fence-ipmi, timeout: 90s }",
        "      - { type: SelfNodeRemediation, safeTime: 180s, timeout: 300s }",
      ].join("\n"),
    );
    const { cluster, inject, splitBrains } = await drill(escalating);
    const before = await vmisOn(cluster, "node-03");
    await inject({ type: "bmc-unreachable", node: "node-03" });
    await inject({ type: "power-off", node: "node-03" });
    const done = await until(
      "recovery through SNR",
      async () => {
        const current = await incident(cluster, "node-03");
        return current?.phase === "Recovered" ? current : undefined;
      },
      150_000,
    );
    // FenceAgents gave up after its 90 s; SNR was then trusted only after its 180 s safe time.
    expect(Date.parse(done.fencedAt ?? "") - Date.parse(done.failedAt)).toBeGreaterThanOrEqual(270_000);
    expect(done.reason).toMatch(/^failed: /);
    expect(done.restarted.map((entry) => entry.vm).sort()).toEqual(before.sort());
    expect(await cluster.kubectl.ok("get", "snr", "-n", "medik8s", "node-03", "-o", "name")).toContain("node-03");
    expect(await splitBrains()).toBe(0);
  }, 180_000);

  it("half the cluster partitioned: more nodes look failed than maxUnhealthy allows, so nothing is fenced", async () => {
    const { cluster, running, inject, splitBrains } = await drill();
    await inject({ type: "partition", nodes: ["node-01", "node-02", "node-03"], for: "30m" });
    await until("the storm guard to hold", async () =>
      /^kubedrs_failover_held 1$/m.test(await running.registry.getSingleMetricAsString("kubedrs_failover_held"))
        ? true
        : undefined,
    );
    // Longer than a fence timeout (90 s) after the guard held: still no incident, no remediation object.
    await sleep(10_000);
    for (const node of ["node-01", "node-02", "node-03"]) expect(await incident(cluster, node)).toBeUndefined();
    expect((await cluster.kubectl.ok("get", "far", "-A", "-o", "name")).trim()).toBe("");
    expect(await splitBrains()).toBe(0);
  }, 120_000);
});
