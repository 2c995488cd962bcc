import { describe, expect, it } from "vitest";
import {
  effectiveBandwidth,
  migrationParamsFor,
  resolveMigrationSettings,
  type MigrationSettings,
  type MigrationSettingsInput,
} from "./index.ts";
import type { Labels } from "../model/selectors.ts";
import {
  clusterSnapshotSchema,
  snapshotMigrationPolicy,
  type ClusterSnapshotInput,
  type MigrationConfiguration,
  type SnapshotMigrationPolicy,
} from "../model/snapshot.ts";

const MiB = 2 ** 20;

type MigrationConfigurationInput = NonNullable<NonNullable<ClusterSnapshotInput["kubevirt"]>["migrations"]>;

/** The KubeVirt CR's migration configuration, decoded with the snapshot's defaults. */
function clusterConfiguration(migrations: MigrationConfigurationInput = {}): MigrationConfiguration {
  const snapshot = clusterSnapshotSchema.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "ClusterSnapshot",
    takenAt: "2026-01-01T00:00:00Z",
    nodes: [],
    kubevirt: { migrations },
  });
  return snapshot.kubevirt.migrations;
}

function policy(name: string, spec: Record<string, unknown> = {}): SnapshotMigrationPolicy {
  return snapshotMigrationPolicy.parse({ name, ...spec });
}

function selecting(vmi: Labels | undefined, namespace: Labels | undefined): Record<string, unknown> {
  return { selectors: { virtualMachineInstanceSelector: vmi, namespaceSelector: namespace } };
}

/** kubevirt-examples/example-migration-policy.yaml, restated. */
const examplePolicy = policy("example-migration-policy", {
  allowAutoConverge: false,
  allowPostCopy: false,
  bandwidthPerMigration: "2000Mi",
  completionTimeoutPerGiB: 123456789,
  ...selecting({ "vmi-key": "vmi-value" }, { "namespace-key": "namespace-value" }),
});

function resolve(overrides: Partial<MigrationSettingsInput>) {
  return resolveMigrationSettings({
    configuration: clusterConfiguration(),
    policies: [],
    vmiLabels: { "kubevirt.io/nodeName": "node-a" },
    namespaceLabels: { "kubernetes.io/metadata.name": "apps" },
    ...overrides,
  });
}

describe("resolveMigrationSettings: which policy wins", () => {
  it.each([
    {
      name: "no policy leaves the cluster configuration",
      policies: [examplePolicy],
      vmiLabels: { app: "db" },
      namespaceLabels: {},
      winner: undefined,
    },
    {
      name: "the example policy matches a VMI and namespace carrying its labels",
      policies: [examplePolicy],
      vmiLabels: { "vmi-key": "vmi-value", "kubevirt.io/nodeName": "node-a" },
      namespaceLabels: { "namespace-key": "namespace-value" },
      winner: "example-migration-policy",
    },
    {
      name: "the example policy does not match when the namespace label differs",
      policies: [examplePolicy],
      vmiLabels: { "vmi-key": "vmi-value" },
      namespaceLabels: { "namespace-key": "other" },
      winner: undefined,
    },
    {
      name: "the example policy does not match when the VMI lacks its label",
      policies: [examplePolicy],
      vmiLabels: { app: "db" },
      namespaceLabels: { "namespace-key": "namespace-value" },
      winner: undefined,
    },
    {
      name: "more matching labels in total win",
      policies: [
        policy("a-two-vmi-labels", selecting({ app: "db", tier: "gold" }, undefined)),
        policy("b-three-labels", selecting({ app: "db" }, { team: "x", env: "prod" })),
      ],
      vmiLabels: { app: "db", tier: "gold" },
      namespaceLabels: { team: "x", env: "prod" },
      winner: "b-three-labels",
    },
    {
      name: "on equal totals, more matching VMI labels win",
      policies: [
        policy("a-vmi-and-namespace", selecting({ app: "db" }, { team: "x" })),
        policy("b-two-vmi-labels", selecting({ app: "db", tier: "gold" }, undefined)),
      ],
      vmiLabels: { app: "db", tier: "gold" },
      namespaceLabels: { team: "x" },
      winner: "b-two-vmi-labels",
    },
    {
      name: "on equal scores, the lexicographically smallest name wins whatever the order",
      policies: [
        policy("zeta", selecting({ app: "db" }, undefined)),
        policy("alpha", selecting({ app: "db" }, undefined)),
        policy("mu", selecting({ app: "db" }, undefined)),
      ],
      vmiLabels: { app: "db" },
      namespaceLabels: {},
      winner: "alpha",
    },
    {
      name: "a policy with empty selectors matches every VMI but loses to any matching label",
      policies: [policy("a-catch-all"), policy("z-specific", selecting({ app: "db" }, undefined))],
      vmiLabels: { app: "db" },
      namespaceLabels: {},
      winner: "z-specific",
    },
    {
      name: "a VMI without labels matches every policy with score 0 (KubeVirt quirk), so the smallest name wins",
      policies: [
        policy("b-needs-app", selecting({ app: "db" }, undefined)),
        policy("a-needs-namespace", selecting(undefined, { team: "nobody" })),
      ],
      vmiLabels: {},
      namespaceLabels: {},
      winner: "a-needs-namespace",
    },
  ])("$name", ({ policies, vmiLabels, namespaceLabels, winner }) => {
    expect(resolve({ policies, vmiLabels, namespaceLabels }).policyName).toBe(winner);
  });
});

describe("resolveMigrationSettings: the merged settings", () => {
  const matchingVmi = { vmiLabels: { app: "db" }, namespaceLabels: {} };
  const forDb = (spec: Record<string, unknown>) => [policy("db", { ...selecting({ app: "db" }, undefined), ...spec })];

  it("applies every field the example policy sets over the cluster defaults", () => {
    const { settings } = resolve({
      policies: [examplePolicy],
      vmiLabels: { "vmi-key": "vmi-value" },
      namespaceLabels: { "namespace-key": "namespace-value" },
    });
    expect(settings).toEqual({
      ...clusterConfiguration(),
      allowAutoConverge: false,
      allowPostCopy: false,
      allowWorkloadDisruption: false,
      bandwidthPerMigration: 2000 * MiB,
      completionTimeoutPerGiB: 123456789,
    } satisfies MigrationSettings);
  });

  it.each([
    {
      name: "the cluster's unset allowWorkloadDisruption follows its allowPostCopy",
      cluster: { allowPostCopy: true },
      policies: [],
      expected: { allowPostCopy: true, allowWorkloadDisruption: true },
    },
    {
      name: "a policy setting only allowPostCopy sets allowWorkloadDisruption to match",
      cluster: {},
      policies: forDb({ allowPostCopy: true }),
      expected: { allowPostCopy: true, allowWorkloadDisruption: true },
    },
    {
      name: "a policy turning post-copy off also withdraws the cluster's workload disruption",
      cluster: { allowPostCopy: true, allowWorkloadDisruption: true },
      policies: forDb({ allowPostCopy: false }),
      expected: { allowPostCopy: false, allowWorkloadDisruption: false },
    },
    {
      name: "an explicit allowWorkloadDisruption in the policy wins over the fallback",
      cluster: {},
      policies: forDb({ allowPostCopy: true, allowWorkloadDisruption: false }),
      expected: { allowPostCopy: true, allowWorkloadDisruption: false },
    },
    {
      name: "a policy that sets neither keeps the cluster's values",
      cluster: { allowPostCopy: true },
      policies: forDb({ allowAutoConverge: true }),
      expected: { allowAutoConverge: true, allowPostCopy: true, allowWorkloadDisruption: true },
    },
    {
      name: "maxDowntimeMs and bandwidth come from the policy; cluster-only fields stay",
      cluster: { progressTimeout: 60, parallelMigrationsPerCluster: 10 },
      policies: forDb({ maxDowntimeMs: 500, bandwidthPerMigration: "64Mi" }),
      expected: {
        maxDowntimeMs: 500,
        bandwidthPerMigration: 64 * MiB,
        progressTimeout: 60,
        parallelMigrationsPerCluster: 10,
      },
    },
  ])("$name", ({ cluster, policies, expected }) => {
    const { settings } = resolve({ configuration: clusterConfiguration(cluster), policies, ...matchingVmi });
    expect(settings).toMatchObject(expected);
  });
});

describe("migrationParamsFor", () => {
  const settings = resolve({}).settings;
  const guest = { memoryBytes: 8 * 2 ** 30, dirtyRateBytesPerSecond: 50 * MiB };

  it("carries the VM and the settings into the model with KubeVirt's defaults", () => {
    expect(migrationParamsFor(settings, guest, 1.25e9)).toEqual({
      memoryBytes: guest.memoryBytes,
      dirtyRateBytesPerSecond: guest.dirtyRateBytesPerSecond,
      bandwidthBytesPerSecond: 1.25e9,
      maxDowntimeMs: 300,
      allowAutoConverge: false,
      allowPostCopy: false,
      allowWorkloadDisruption: false,
      completionTimeoutPerGiB: 150,
      progressTimeoutSeconds: 150,
    });
  });

  it.each([
    { name: "900 ms (KubeVirt's default) is not sent to QEMU, which keeps 300 ms", maxDowntimeMs: 900, expected: 300 },
    {
      name: "a limit below QEMU's default is used as the stall detector's starting point",
      maxDowntimeMs: 150,
      expected: 150,
    },
  ])("downtime limit: $name", ({ maxDowntimeMs, expected }) => {
    expect(migrationParamsFor({ ...settings, maxDowntimeMs }, guest, 1.25e9).maxDowntimeMs).toBe(expected);
  });

  it.each([
    { name: "0 means unlimited, so the link decides", perMigration: 0, link: 1.25e9, expected: 1.25e9 },
    { name: "a limit above the link is capped by the link", perMigration: 2000 * MiB, link: 1.25e9, expected: 1.25e9 },
    { name: "a limit below the link applies", perMigration: 64 * MiB, link: 1.25e9, expected: 64 * MiB },
    { name: "libvirt rounds to whole MiB/s, half up", perMigration: 1.5 * MiB, link: 1.25e9, expected: 2 * MiB },
    { name: "libvirt rounds 1.4 MiB/s down", perMigration: 1.4 * MiB, link: 1.25e9, expected: MiB },
    { name: "anything below 1 MiB/s becomes 1 MiB/s", perMigration: 100 * 1024, link: 1.25e9, expected: MiB },
  ])("bandwidth: $name", ({ perMigration, link, expected }) => {
    expect(effectiveBandwidth(perMigration, link)).toBe(expected);
  });
});
