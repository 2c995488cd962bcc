/**
 * Maintenance mode on the twin, end to end: `kubedrs evacuate` against the maintenance scenario
 * (node-02 holds 30-odd app VMs, a database on ReadWriteOnce storage and two bridged VMs, neither
 * live-migratable) with the controller running, and kubectl as the independent observer. The
 * scenario's own NodeMaintenance event is dropped: the test drives the maintenance itself.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningController, startController } from "../../src/controller/run.ts";
import type { EvacuationPlan } from "../../src/core/evacuate/types.ts";
import { endpointFromKubeconfig, postEvent } from "../../src/twin/control/client.ts";
import { kubedrs } from "../cli/run-cli.ts";
import {
  MigrationWatch,
  peakConcurrency,
  type ScenarioTwin,
  startLibraryTwin,
  until,
  vmisOn,
} from "./controller-fixture.ts";

const POLICIES = `apiVersion: kubedrs.io/v1alpha1
kind: BalancePolicy
metadata: { name: quiet }
spec:
  automation: Recommend
  schedule: { cron: "0 0 * * *" }
---
apiVersion: kubedrs.io/v1alpha1
kind: MaintenancePolicy
metadata: { name: drill }
spec:
  unmigratable:
    defaultAction: Block
    rules:
      - vms: { selector: { matchLabels: { twin.kubedrs.io/group: bridged } } }
        action: ShutdownAndRestartElsewhere
  moveBack: true
  proactive:
    enabled: true
    conditions: [{ type: KernelDeadlock, status: "True", for: 1m }]
    minInterval: 1h
    maxPerHour: 1
`;

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Drill {
  readonly cluster: ScenarioTwin;
  readonly policies: string;
  readonly live: string[];
  readonly controller: (identity: string) => Promise<RunningController>;
}

async function drill(): Promise<Drill> {
  const cluster = await startLibraryTwin("maintenance", { withoutEvents: true });
  cleanups.push(() => cluster.close());
  const policies = await mkdtemp(join(tmpdir(), "kubedrs-maintenance-"));
  cleanups.push(() => rm(policies, { recursive: true, force: true }));
  await writeFile(join(policies, "policies.yaml"), POLICIES);
  await cluster.kubectl.ok("wait", "--for=jsonpath={.status.phase}=Running", "vmi", "--all", "-A", "--timeout=60s");
  const live = ["--kubeconfig", cluster.kubeconfig, "--clock", "twin", "--policies", policies];
  return {
    cluster,
    policies,
    live,
    controller: async (identity) => {
      const running = await startController({
        kubeconfig: cluster.kubeconfig,
        policies,
        clock: "twin",
        identity,
        logLevel: "silent",
      });
      cleanups.push(() => running.stop());
      return running;
    },
  };
}

async function evacuationStatus(cluster: ScenarioTwin, node: string): Promise<Record<string, unknown> | undefined> {
  const text = await cluster.kubectl.ok(
    "get",
    "node",
    node,
    "-o",
    "jsonpath={.metadata.annotations.kubedrs\\.io/evacuation}",
  );
  return text.trim() === "" ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

/** Evacuation VMIMs: name, VMI, target label, creation time and phase. */
async function evacuationMigrations(
  cluster: ScenarioTwin,
): Promise<{ vm: string; target: string; created: number; phase: string }[]> {
  const text = await cluster.kubectl.ok(
    "get",
    "vmim",
    "-A",
    "-l",
    "kubedrs.io/move-kind=evacuate",
    "-o",
    "jsonpath={range .items[*]}{.metadata.namespace}/{.spec.vmiName} {.metadata.labels.kubedrs\\.io/target} {.metadata.creationTimestamp} {.status.phase}{'\\n'}{end}",
  );
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [vm = "", target = "", created = "", phase = ""] = line.split(" ");
      return { vm, target, created: Date.parse(created), phase };
    });
}

describe("kubedrs evacuate on the twin", () => {
  it("refuses bad requests and cordons nothing; a dry run lists the blockers and a target for every other VM", async () => {
    const { cluster, live } = await drill();
    const unknown = await kubedrs("evacuate", "node-99", ...live);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("there is no node node-99");
    const run = await kubedrs("evacuate", "node-02", ...live, "--dry-run", "-o", "json");
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as EvacuationPlan;
    const onNode = await vmisOn(cluster, "node-02");
    const planned = [...plan.moves.map((move) => move.vm), ...plan.blockers.map((blocker) => blocker.vm)].sort();
    expect(planned).toEqual(onNode);
    const db = plan.blockers.find((blocker) => blocker.vm.includes("legacy-db"));
    expect(db?.action).toBe("Block");
    expect(db?.reasons.map((reason) => reason.reason).join(" ")).toMatch(/ReadWriteOnce/);
    const bridged = plan.blockers.filter((blocker) => blocker.vm.includes("bridged"));
    expect(bridged.map((blocker) => blocker.action)).toEqual([
      "ShutdownAndRestartElsewhere",
      "ShutdownAndRestartElsewhere",
    ]);
    expect(plan.moves.every((move) => move.to !== "node-02")).toBe(true);
    expect(plan.estimate.etaSeconds).toBeGreaterThanOrEqual(plan.estimate.lowerBoundSeconds);
    expect(await cluster.kubectl.ok("get", "node", "node-02", "-o", "jsonpath={.spec.unschedulable}")).toBe("");
  });

  it("evacuates: blockers reported before the first migration, every movable VM off, limits held, then moves back", async () => {
    const { cluster, live, controller } = await drill();
    await controller("evacuate-test");
    const watch = new MigrationWatch(cluster.kubectl);
    cleanups.push(() => watch.stop());
    const before = await vmisOn(cluster, "node-02");
    const run = await kubedrs("evacuate", "node-02", ...live, "--wait", "--timeout", "120");
    // The database cannot leave and the policy blocks on it: evacuated, but not ready for maintenance.
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/legacy-db.*Block.*ReadWriteOnce/);
    expect(await cluster.kubectl.ok("get", "node", "node-02", "-o", "jsonpath={.spec.unschedulable}")).toBe("true");
    const left = await vmisOn(cluster, "node-02");
    expect(left.every((vm) => vm.includes("legacy-db"))).toBe(true);
    expect(left.length).toBe(1);
    const migrations = await evacuationMigrations(cluster);
    const migrated = before.filter((vm) => !vm.includes("legacy-db") && !vm.includes("bridged"));
    expect(migrations.map((migration) => migration.vm).sort()).toEqual(migrated);
    for (const migration of migrations) expect(migration.phase).toBe("Succeeded");
    const events = await cluster.kubectl.ok(
      "get",
      "events",
      "-A",
      "--field-selector",
      "reason=EvacuationBlocked",
      "-o",
      "jsonpath={range .items[*]}{.involvedObject.name} {.firstTimestamp}{'\\n'}{end}",
    );
    const blockedAt = events
      .split("\n")
      .filter(Boolean)
      .map((line) => Date.parse(line.split(" ")[1] ?? ""));
    expect(blockedAt.length).toBe(3);
    expect(Math.max(...blockedAt)).toBeLessThanOrEqual(Math.min(...migrations.map((migration) => migration.created)));
    const peak = peakConcurrency(watch.events());
    expect(peak.outbound).toBeLessThanOrEqual(2);
    expect(peak.cluster).toBeLessThanOrEqual(5);

    const cancel = await kubedrs("evacuate", "node-02", ...live, "--cancel");
    expect(cancel.code, cancel.stderr).toBe(0);
    await until("the move back to finish", async () =>
      (await evacuationStatus(cluster, "node-02")) === undefined ? true : undefined,
    );
    expect(await cluster.kubectl.ok("get", "node", "node-02", "-o", "jsonpath={.spec.unschedulable}")).not.toBe("true");
    const home = await vmisOn(cluster, "node-02");
    // Every migrated VM went home (the restarted bridged VMs are new VMIs the scheduler placed).
    expect(migrated.filter((vm) => !home.includes(vm))).toEqual([]);
  }, 150_000);

  it("a controller restarted mid-evacuation resumes it and never makes a second migration for a VM", async () => {
    const { cluster, live, controller } = await drill();
    const first = await controller("first");
    const started = await kubedrs("evacuate", "node-02", ...live);
    expect(started.code, started.stderr).toBe(0);
    await until("the first evacuation migrations", async () =>
      (await evacuationMigrations(cluster)).length >= 2 ? true : undefined,
    );
    await first.stop({ release: true });
    await controller("second");
    const status = await until(
      "the evacuation to end",
      async () => {
        const current = await evacuationStatus(cluster, "node-02");
        return current && current.phase !== "Evacuating" ? current : undefined;
      },
      120_000,
    );
    expect(status.phase).toBe("Blocked");
    const migrations = await evacuationMigrations(cluster);
    const perVm = new Map<string, number>();
    for (const migration of migrations) perVm.set(migration.vm, (perVm.get(migration.vm) ?? 0) + 1);
    expect([...perVm.values()].every((count) => count === 1)).toBe(true);
    expect(await vmisOn(cluster, "node-02")).toHaveLength(1);
  }, 150_000);

  it("evacuates a node whose hardware degrades, once per hour however many nodes report trouble", async () => {
    const { cluster, controller } = await drill();
    await controller("proactive");
    const endpoint = endpointFromKubeconfig(cluster.kubeconfig);
    await postEvent(endpoint, { type: "degraded-hardware", node: "node-04", condition: "KernelDeadlock", for: "1h" });
    await postEvent(endpoint, { type: "degraded-hardware", node: "node-05", condition: "KernelDeadlock", for: "1h" });
    const status = await until("a proactive evacuation", async () => {
      const current = await evacuationStatus(cluster, "node-04");
      return current?.phase === "Ready" ? current : undefined;
    });
    expect(String(status.reason)).toMatch(/proactive: KernelDeadlock=True/);
    expect(await vmisOn(cluster, "node-04")).toEqual([]);
    // node-05 reports the same trouble, but the policy allows one proactive evacuation an hour.
    expect(await evacuationStatus(cluster, "node-05")).toBeUndefined();
    const annotations = await cluster.kubectl.ok("get", "node", "node-05", "-o", "jsonpath={.metadata.annotations}");
    expect(annotations).not.toContain("kubedrs.io/maintenance");
  }, 120_000);
});
