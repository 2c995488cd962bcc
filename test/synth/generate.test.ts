import { describe, expect, it } from "vitest";
import { encodeSnapshot } from "../../src/core/model/snapshot-encode.ts";
import { clusterSnapshotSchema } from "../../src/core/model/snapshot.ts";
import { DEFAULT_TAKEN_AT, generateSnapshot } from "../../src/synth/index.ts";
import { snapshotFor } from "./checks.ts";

const small = { nodes: 24, vms: 600, seed: 11, hot: 0.25 };

function isSorted(keys: readonly string[]): boolean {
  return keys.every((key, i) => i === 0 || (keys[i - 1] as string) < key);
}

describe("generateSnapshot", () => {
  it("is pure: the same options give a deep-equal snapshot", () => {
    expect(generateSnapshot(small)).toStrictEqual(generateSnapshot(small));
  });

  it("gives a different cluster for a different seed", () => {
    const other = generateSnapshot({ ...small, seed: 12 });
    const base = snapshotFor(small);
    expect(other.vms.map((vm) => vm.node)).not.toEqual(base.vms.map((vm) => vm.node));
    expect(other.vms.map((vm) => vm.usage)).not.toEqual(base.vms.map((vm) => vm.usage));
  });

  it("round-trips through the file encoding and the schema unchanged", () => {
    const snapshot = snapshotFor(small);
    expect(clusterSnapshotSchema.parse(encodeSnapshot(snapshot))).toStrictEqual(snapshot);
  });

  it("also round-trips through JSON text, as the CLI writes it", () => {
    const snapshot = snapshotFor(small);
    const text = JSON.stringify(encodeSnapshot(snapshot));
    expect(clusterSnapshotSchema.parse(JSON.parse(text))).toStrictEqual(snapshot);
  });

  it("sorts nodes, VMs, namespaces, migrations and policies by name", () => {
    const snapshot = snapshotFor(small);
    expect(isSorted(snapshot.nodes.map((node) => node.name))).toBe(true);
    expect(isSorted(snapshot.vms.map((vm) => `${vm.namespace}/${vm.name}`))).toBe(true);
    expect(isSorted(snapshot.namespaces.map((ns) => ns.name))).toBe(true);
    expect(isSorted(snapshot.migrations.map((m) => `${m.namespace}/${m.name}`))).toBe(true);
    expect(isSorted(snapshot.migrationPolicies.map((policy) => policy.name))).toBe(true);
  });

  it("fills in the documented defaults", () => {
    const snapshot = snapshotFor(small);
    expect(snapshot.takenAt).toBe(DEFAULT_TAKEN_AT);
    expect(snapshot.usageWindow).toBe(600);
    expect(snapshot.kubevirt.migrations.parallelMigrationsPerCluster).toBe(5);
    expect(snapshot.kubevirt.migrations.parallelOutboundMigrationsPerNode).toBe(2);
    expect(generateSnapshot({ ...small, takenAt: "2027-01-01T00:00:00Z" }).takenAt).toBe("2027-01-01T00:00:00Z");
  });

  it.each([
    ["no nodes", { nodes: 0, vms: 10, seed: 1 }, /nodes/],
    ["fractional VMs", { nodes: 3, vms: 2.5, seed: 1 }, /vms/],
    ["hot above 1", { nodes: 3, vms: 10, seed: 1, hot: 1.5 }, /hot/],
    ["a bad time", { nodes: 3, vms: 10, seed: 1, takenAt: "yesterday" }, /takenAt/],
  ])("rejects %s with a RangeError naming the option", (_name, options, field) => {
    expect(() => generateSnapshot(options)).toThrow(RangeError);
    expect(() => generateSnapshot(options)).toThrow(field);
  });

  it("handles a cluster without VMs and one smaller than the pool list", () => {
    expect(generateSnapshot({ nodes: 3, vms: 0, seed: 1 }).vms).toEqual([]);
    const tiny = generateSnapshot({ nodes: 2, vms: 20, seed: 1 });
    expect(tiny.nodes).toHaveLength(2);
    expect(tiny.vms.length).toBeGreaterThan(0);
  });
});

describe("counts", () => {
  it.each([
    { nodes: 10, vms: 300, seed: 1 },
    { nodes: 50, vms: 1500, seed: 2, hot: 0.2 },
    { nodes: 40, vms: 1400, seed: 3, hot: 0.5 },
  ])("gives exactly the nodes and nearly all the VMs asked for: %o", (options) => {
    const snapshot = snapshotFor(options);
    expect(snapshot.nodes).toHaveLength(options.nodes);
    expect(snapshot.vms.length).toBeLessThanOrEqual(options.vms);
    expect(snapshot.vms.length).toBeGreaterThanOrEqual(Math.floor(0.98 * options.vms));
  });
});
