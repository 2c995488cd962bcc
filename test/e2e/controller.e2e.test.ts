/**
 * The controller against the twin, end to end: real processes, real HTTP, the demo scenario at 60×,
 * and kubectl watching the migrations as an independent observer.
 */
import { mkdtemp, cp, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startController, type RunningController } from "../../src/controller/run.ts";
import { deployFile, NAMESPACE } from "../deploy/manifests.ts";
import { grantsAllow, grantsFor } from "../support/rbac.ts";
import {
  ControllerProcess,
  EXAMPLE_POLICIES,
  type MigrationEvent,
  MigrationWatch,
  peakConcurrency,
  type ScenarioTwin,
  sleep,
  startDemoTwin,
} from "./controller-fixture.ts";

/** The example policy "general" (aggressiveness 3): balancing starts above 0.12. */
const TARGET = 0.12;
/** Its limits, and KubeVirt's in the demo scenario. */
const LIMITS = { cluster: 5, outbound: 2, inbound: 2 };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function demoTwin(): Promise<ScenarioTwin> {
  const scenario = await startDemoTwin();
  cleanups.push(() => scenario.close());
  return scenario;
}

function controller(scenario: ScenarioTwin, extra: string[] = []): ControllerProcess {
  const process = new ControllerProcess(scenario.kubeconfig, ["--policies", EXAMPLE_POLICIES, ...extra]);
  cleanups.push(() => process.kill());
  return process;
}

function watch(scenario: ScenarioTwin): MigrationWatch {
  const migrations = new MigrationWatch(scenario.kubectl);
  cleanups.push(() => migrations.stop());
  return migrations;
}

/** Waits until virtual time has passed `minutes` since the scenario started. */
async function untilVirtual(scenario: ScenarioTwin, minutes: number): Promise<void> {
  while (scenario.twin.runtime.clock.now() < scenario.start + minutes * 60_000) await sleep(100);
}

function imbalances(process: ControllerProcess): number[] {
  return process.messages("balance pass planned").map((line) => Number(String(line.imbalance).split(" ")[0]));
}

function succeededPerVm(events: readonly MigrationEvent[]): Map<string, Set<string>> {
  const perVm = new Map<string, Set<string>>();
  for (const event of events.filter((e) => e.phase === "Succeeded"))
    perVm.set(event.vm, (perVm.get(event.vm) ?? new Set()).add(event.name));
  return perVm;
}

/** No VM ever had two live migrations at once. */
function overlapping(events: readonly MigrationEvent[]): string[] {
  const live = new Map<string, string>();
  const overlaps: string[] = [];
  for (const event of events) {
    const final = event.phase === "Succeeded" || event.phase === "Failed";
    const other = live.get(event.vm);
    if (!final && other !== undefined && other !== event.name) overlaps.push(`${event.vm}: ${other} and ${event.name}`);
    if (final) live.delete(event.vm);
    else live.set(event.vm, event.name);
  }
  return overlaps;
}

describe("kubedrs run against the demo twin", () => {
  it("brings the imbalance below the target with feasible targets, within limits, each VM moved once", async () => {
    const scenario = await demoTwin();
    const migrations = watch(scenario);
    const kubedrs = controller(scenario);
    await untilVirtual(scenario, 12);
    const events = migrations.events();
    const measured = imbalances(kubedrs);
    expect(measured[0]).toBeGreaterThan(TARGET);
    expect(measured.at(-1)).toBeLessThan(TARGET);

    const created = new Set(events.map((event) => event.name));
    expect(created.size).toBeGreaterThan(0);
    expect(events.filter((event) => event.phase === "Failed")).toEqual([]);
    // Every migration names its target; the VM ended there, on a Ready, schedulable node.
    const nodes = JSON.parse(await scenario.kubectl.ok("get", "nodes", "-o", "json")) as {
      items: {
        metadata: { name: string };
        spec: { unschedulable?: boolean };
        status: { conditions: { type: string; status: string }[] };
      }[];
    };
    const ready = new Set(
      nodes.items
        .filter(
          (n) => !n.spec.unschedulable && n.status.conditions.some((c) => c.type === "Ready" && c.status === "True"),
        )
        .map((n) => n.metadata.name),
    );
    const vmis = JSON.parse(await scenario.kubectl.ok("get", "vmi", "-A", "-o", "json")) as {
      items: { metadata: { namespace: string; name: string }; status: { nodeName: string } }[];
    };
    const where = new Map(vmis.items.map((vmi) => [vmi.metadata.name, vmi.status.nodeName]));
    for (const event of events.filter((e) => e.phase === "Succeeded")) {
      expect(ready.has(event.target), `${event.name} targets ${event.target}`).toBe(true);
      expect(event.target).not.toBe(event.source);
      expect(where.get(event.vm)).toBe(event.target);
    }
    const peak = peakConcurrency(events);
    expect(peak.cluster).toBeLessThanOrEqual(LIMITS.cluster);
    expect(peak.outbound).toBeLessThanOrEqual(LIMITS.outbound);
    expect(peak.inbound).toBeLessThanOrEqual(LIMITS.inbound);
    // The cooldown is an hour: no VM moves twice in this run.
    for (const [vm, names] of succeededPerVm(events)) expect(names.size, vm).toBe(1);
    // The target was reached with no more migrations than the passes before it planned (the first
    // pass may stop at maxMovesPerPass, and load keeps changing, so a later pass may add a move).
    const reached = kubedrs.lines.findIndex(
      (line) => line.msg === "balance pass planned" && Number(String(line.imbalance).split(" ")[0]) < TARGET,
    );
    const before = kubedrs.lines.slice(0, reached);
    const planned = before
      .filter((l) => l.msg === "balance pass planned")
      .reduce((sum, l) => sum + Number(l.execute), 0);
    expect(reached).toBeGreaterThan(0);
    expect(before.filter((line) => line.msg === "migration started").length).toBeLessThanOrEqual(planned);
    // Every request the controller made is one deploy/'s RBAC grants its service account.
    const grants = grantsFor(deployFile("rbac.yaml"), { namespace: NAMESPACE, name: "kubedrs" });
    const requests = scenario.twin.server.audit().filter((record) => !(record.userAgent ?? "").startsWith("kubectl"));
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((request) => !grantsAllow(grants, request))).toEqual([]);
  });

  it("killed mid-plan and restarted: no duplicate migration, and the plan resumes", async () => {
    const scenario = await demoTwin();
    const migrations = watch(scenario);
    const first = controller(scenario);
    await first.waitFor("migration started");
    await first.kill("SIGKILL");
    const startedBeforeKill = first.messages("migration started").length;
    const second = controller(scenario);
    await second.waitFor("balance pass planned");
    await untilVirtual(scenario, 12);
    const events = migrations.events();
    expect(overlapping(events)).toEqual([]);
    for (const [vm, names] of succeededPerVm(events)) expect(names.size, vm).toBe(1);
    expect(new Set(events.map((e) => e.name)).size).toBeGreaterThan(startedBeforeKill);
    expect(imbalances(second).at(-1)).toBeLessThan(TARGET);
  });

  it("with two replicas only the leader acts, and the standby takes over within the lease", async () => {
    const scenario = await demoTwin();
    const lease = [
      "--leader-elect",
      "--leader-election-namespace",
      "default",
      "--lease-duration",
      "3",
      "--renew-deadline",
      "2",
      "--retry-period",
      "0.5",
    ];
    const a = controller(scenario, [...lease, "--identity", "replica-a"]);
    const b = controller(scenario, [...lease, "--identity", "replica-b"]);
    await Promise.race([a.waitFor("became the leader"), b.waitFor("became the leader")]);
    const [leader, standby] = a.messages("became the leader").length > 0 ? [a, b] : [b, a];
    await leader.waitFor("migration started");
    expect(standby.messages("migration started")).toEqual([]);
    const killedAt = Date.now();
    await leader.kill("SIGKILL");
    await standby.waitFor("became the leader", 10_000);
    expect(Date.now() - killedAt).toBeLessThan(3_000 + 2_000);
    const holder = await scenario.kubectl.ok(
      "get",
      "lease",
      "kubedrs-leader",
      "-n",
      "default",
      "-o",
      "jsonpath={.spec.holderIdentity}",
    );
    expect(holder).toBe(standby === a ? "replica-a" : "replica-b");
    // The new leader plans at once, then checks its work at the next cron times.
    await untilVirtual(scenario, 16);
    expect(imbalances(standby).at(-1)).toBeLessThan(TARGET);
  });
});

describe("policy reload", () => {
  it("keeps the last good policy set when a file turns bad, and says so in a metric and an Event", async () => {
    const scenario = await demoTwin();
    const directory = await mkdtemp(join(tmpdir(), "kubedrs-policies-"));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    await cp(EXAMPLE_POLICIES, directory, { recursive: true });
    const running: RunningController = await startController({
      kubeconfig: scenario.kubeconfig,
      policies: directory,
      clock: "twin",
      identity: "reload-test",
      logLevel: "silent",
    });
    cleanups.push(() => running.stop());
    const before = running.keeper.current();
    expect(before?.balance.map((p) => p.metadata.name)).toContain("general");
    await writeFile(
      join(directory, "balance.yaml"),
      "apiVersion: kubedrs.io/v1alpha1\nkind: BalancePolicy\nmetadata: { name: general }\nspec:\n  aggressiveness: 9\n",
    );
    const deadline = Date.now() + 10_000;
    while (
      !(await running.registry.getSingleMetricAsString("kubedrs_policy_errors")).includes("kubedrs_policy_errors 1")
    ) {
      if (Date.now() > deadline) throw new Error("the bad policy was never reported");
      await sleep(50);
    }
    expect(running.keeper.current()).toBe(before);
    const events = await scenario.kubectl.ok(
      "get",
      "events",
      "-n",
      "default",
      "--field-selector",
      "reason=PolicyRejected",
      "-o",
      "jsonpath={.items[*].message}",
    );
    expect(events).toContain("spec.aggressiveness");
    expect(running.controller.notReady()).toBeUndefined();
  });
});
