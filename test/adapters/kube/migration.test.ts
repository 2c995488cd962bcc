import { describe, expect, it } from "vitest";
import {
  kubevirtFromKube,
  migrationFromKube,
  migrationPolicyFromKube,
} from "../../../src/adapters/kube/convert/index.ts";
import type { SnapshotMigration } from "../../../src/core/model/snapshot.ts";
import { type Apply, buildMigrationPolicy, buildVmim, expectClean, expectLeftOut, MiB } from "./builders.ts";

describe("migrationFromKube", () => {
  it("maps a running migration", () => {
    expect(expectClean(migrationFromKube(buildVmim("mig-1", "web-1")))).toStrictEqual<SnapshotMigration>({
      namespace: "shop",
      name: "mig-1",
      vm: "web-1",
      phase: "Running",
      source: "node-a",
      target: "node-b",
      createdAt: "2026-09-01T11:50:00Z",
      byKubedrs: false,
    });
  });

  it("recognises a kubedrs migration: managed-by label, reason annotation, requested target", () => {
    const vmim = buildVmim("kubedrs-web-1-x2", "web-1", (m) => {
      m.metadata.labels = { "app.kubernetes.io/managed-by": "kubedrs" };
      m.metadata.annotations = { "kubedrs.io/reason": "balance: node-a is 92% busy" };
      m.spec.addedNodeSelector = { "kubernetes.io/hostname": "node-c", "disk-type": "ssd" };
      m.status = { phase: "Pending" };
    });
    const converted = expectClean(migrationFromKube(vmim));
    expect(converted).toMatchObject({
      phase: "Pending",
      requestedTarget: "node-c",
      byKubedrs: true,
      reason: "balance: node-a is 92% busy",
    });
    expect(converted).not.toHaveProperty("source");
  });

  it.each<[string, Apply, string | undefined]>([
    ["still running", () => undefined, undefined],
    [
      "the migration state's end",
      (m) => {
        m.status.phase = "Succeeded";
        m.status.migrationState.endTimestamp = "2026-09-01T11:52:10Z";
        m.status.phaseTransitionTimestamps = [{ phase: "Succeeded", phaseTransitionTimestamp: "2026-09-01T11:52:11Z" }];
      },
      "2026-09-01T11:52:10Z",
    ],
    [
      "the Failed transition when the state has no end",
      (m) => {
        m.status = {
          phase: "Failed",
          phaseTransitionTimestamps: [
            { phase: "Pending", phaseTransitionTimestamp: "2026-09-01T11:50:00Z" },
            { phase: "Failed", phaseTransitionTimestamp: "2026-09-01T11:55:00Z" },
          ],
        };
      },
      "2026-09-01T11:55:00Z",
    ],
  ])("endedAt when %s", (_case, apply, endedAt) => {
    expect(expectClean(migrationFromKube(buildVmim("mig-1", "web-1", apply))).endedAt).toBe(endedAt);
  });

  it('has phase "" before the controller sets one', () => {
    const vmim = buildVmim("mig-1", "web-1", (m) => delete m.status);
    expect(expectClean(migrationFromKube(vmim)).phase).toBe("");
  });

  it.each<[string, Apply, string]>([
    [
      "a decentralized phase the snapshot does not model",
      (m) => (m.status.phase = "WaitingForSync"),
      'status.phase: unknown value "WaitingForSync"',
    ],
    ["no vmiName", (m) => delete m.spec.vmiName, "spec.vmiName: missing"],
    ["no creation time", (m) => delete m.metadata.creationTimestamp, "metadata.creationTimestamp: missing"],
  ])("leaves out a migration with %s", (_case, apply, problem) => {
    const [warning] = expectLeftOut(migrationFromKube(buildVmim("mig-1", "web-1", apply)));
    expect(warning).toContain(`VirtualMachineInstanceMigration shop/mig-1 left out: ${problem}`);
  });
});

describe("migrationPolicyFromKube", () => {
  it("maps selectors and tuning, bandwidth in bytes per second", () => {
    expect(expectClean(migrationPolicyFromKube(buildMigrationPolicy("db-slow")))).toStrictEqual({
      name: "db-slow",
      labels: { team: "storage" },
      selectors: { virtualMachineInstanceSelector: { workload: "db" } },
      allowAutoConverge: true,
      bandwidthPerMigration: 512 * MiB,
    });
  });

  it.each<[string, Apply, string]>([
    [
      "without selectors, which KubeVirt never applies",
      (p) => delete p.spec.selectors,
      "MigrationPolicy db-slow left out: spec.selectors: missing, so KubeVirt never applies this policy",
    ],
    [
      "with an unparsable bandwidth",
      (p) => (p.spec.bandwidthPerMigration = "fast"),
      'MigrationPolicy db-slow left out: spec.bandwidthPerMigration: not a valid quantity: "fast" (examples: 500m, 4, 16Gi)',
    ],
    [
      "with a negative completion timeout",
      (p) => (p.spec.completionTimeoutPerGiB = -1),
      "MigrationPolicy db-slow left out: spec.completionTimeoutPerGiB: expected an integer ≥ 0, found -1",
    ],
  ])("leaves out a policy %s", (_case, apply, warning) => {
    expect(expectLeftOut(migrationPolicyFromKube(buildMigrationPolicy("db-slow", apply)))).toEqual([warning]);
  });
});

describe("kubevirtFromKube", () => {
  it("gives KubeVirt's defaults without a CR", () => {
    expect(kubevirtFromKube()).toStrictEqual({
      value: {
        migrations: {
          parallelMigrationsPerCluster: 5,
          parallelOutboundMigrationsPerNode: 2,
          bandwidthPerMigration: 0,
          completionTimeoutPerGiB: 150,
          progressTimeout: 150,
          allowAutoConverge: false,
          allowPostCopy: false,
          maxDowntimeMs: 900,
        },
        cpuModel: "host-model",
        evictionStrategy: "None",
        defaultMigrationBandwidth: 1.25e9,
      },
      warnings: [],
    });
  });

  it("reads migrations, CPU model, obsolete models and eviction strategy", () => {
    const kubevirt = {
      metadata: { name: "kubevirt", namespace: "kubevirt" },
      spec: {
        configuration: {
          cpuModel: "Cascadelake-Server",
          evictionStrategy: "LiveMigrate",
          obsoleteCPUModels: { Conroe: true, Penryn: false, "486": true },
          migrations: { parallelMigrationsPerCluster: 10, bandwidthPerMigration: "1Gi", allowPostCopy: true },
        },
      },
    };
    const { value, warnings } = kubevirtFromKube(kubevirt);
    expect(warnings).toEqual([]);
    expect(value).toMatchObject({
      cpuModel: "Cascadelake-Server",
      evictionStrategy: "LiveMigrate",
      obsoleteCpuModels: ["486", "Conroe"],
      migrations: {
        parallelMigrationsPerCluster: 10,
        parallelOutboundMigrationsPerNode: 2,
        bandwidthPerMigration: 2 ** 30,
        allowPostCopy: true,
      },
    });
    expect(value.migrations).not.toHaveProperty("allowWorkloadDisruption");
  });

  it("falls back to the default for each odd field, and says so", () => {
    const kubevirt = {
      metadata: { name: "kubevirt", namespace: "kubevirt" },
      spec: {
        configuration: {
          evictionStrategy: "Always",
          migrations: { progressTimeout: -5, parallelMigrationsPerCluster: 3 },
        },
      },
    };
    const { value, warnings } = kubevirtFromKube(kubevirt);
    expect(value.evictionStrategy).toBe("None");
    expect(value.migrations.progressTimeout).toBe(150);
    expect(value.migrations.parallelMigrationsPerCluster).toBe(3);
    expect(warnings).toEqual([
      "KubeVirt kubevirt/kubevirt: spec.configuration.migrations.progressTimeout: expected an integer ≥ 0, found -5; KubeVirt's default is used instead",
      'KubeVirt kubevirt/kubevirt: spec.configuration.evictionStrategy: unknown value "Always" (expected one of "None", "LiveMigrate", "LiveMigrateIfPossible", "External"); KubeVirt\'s default is used instead',
    ]);
  });
});
