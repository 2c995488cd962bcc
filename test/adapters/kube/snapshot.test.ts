import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type KubeObjects, snapshotFromObjects } from "../../../src/adapters/kube/convert/index.ts";
import { buildClusterModel } from "../../../src/core/model/cluster.ts";
import type { SnapshotVm } from "../../../src/core/model/snapshot.ts";
import {
  buildLauncherPod,
  buildLease,
  buildMigrationPolicy,
  buildNamespace,
  buildNode,
  buildNodeMaintenance,
  buildPvc,
  buildTopology,
  buildVm,
  buildVmi,
  buildVmim,
  GiB,
  type KubeJson,
  MiB,
  roundTrip,
  TAKEN_AT,
} from "./builders.ts";

const HOST_MODEL_SELECTOR = "cpu-model-migration.node.kubevirt.io/Cascadelake-Server";

function withRequests(memory: string): (pod: KubeJson) => void {
  return (pod) => {
    pod.spec.containers[0].resources.requests.memory = memory;
  };
}

/** A small cluster with one of everything, including the awkward cases. */
function clusterObjects(): KubeObjects & { [K in keyof KubeObjects]-?: KubeObjects[K] } {
  const web = buildVmi("web-1");
  // Mid-migration from node-a to node-b: two launcher pods, the source one holds the VM.
  const db = buildVmi("db-1", (v) => {
    v.spec.evictionStrategy = "LiveMigrate";
    v.spec.volumes = [{ name: "data", persistentVolumeClaim: { claimName: "db-1-data" } }];
    v.status.migrationState = { sourceNode: "node-a", targetNode: "node-b" };
  });
  // Migrated earlier from node-a to node-b; the finished source pod is still around.
  const app = buildVmi("app-2", (v) => (v.status.nodeName = "node-b"));
  const standalone = buildVmi("standalone-1", (v) => {
    delete v.metadata.ownerReferences;
    v.metadata.namespace = "default";
    v.status.nodeName = "node-c";
  });
  return {
    takenAt: TAKEN_AT,
    name: "test-cluster",
    nodes: [
      buildNode("node-c"),
      buildNode("node-a"),
      buildNode("node-b", (n) => (n.spec.unschedulable = true)),
      buildNode("node-x", (n) => (n.status.capacity.cpu = "lots")),
    ],
    pods: [
      buildLauncherPod(web, "node-a"),
      buildLauncherPod(db, "node-a", (p) => {
        withRequests("8Gi")(p);
        p.spec.nodeSelector[HOST_MODEL_SELECTOR] = "true";
      }),
      buildLauncherPod(db, "node-b", (p) => {
        withRequests("9Gi")(p);
        p.status.phase = "Pending";
      }),
      buildLauncherPod(app, "node-a", (p) => {
        withRequests("1Gi")(p);
        p.status.phase = "Succeeded";
      }),
      buildLauncherPod(app, "node-b", withRequests("2Gi")),
      // Not a launcher pod, although it claims to be created by web-1.
      buildLauncherPod(web, "node-a", (p) => {
        p.metadata.name = "impostor";
        p.metadata.labels["kubevirt.io"] = "something-else";
        withRequests("64Gi")(p);
      }),
    ],
    vmis: [
      web,
      db,
      app,
      standalone,
      buildVmi("pending-1", (v) => {
        delete v.status.nodeName;
        v.status.phase = "Scheduling";
      }),
      buildVmi("done-1", (v) => (v.status.phase = "Succeeded")),
      buildVmi("odd-1", (v) => (v.spec.evictionStrategy = "Teleport")),
    ],
    vms: [
      buildVm("web-1"),
      buildVm("db-1", (vm) => (vm.spec.runStrategy = "RerunOnFailure")),
      buildVm("app-2"),
      buildVm("cold-1", (vm) => (vm.spec.runStrategy = "Halted")),
    ],
    vmims: [buildVmim("mig-db-1", "db-1"), buildVmim("mig-ghost", "db-1", (m) => (m.status.phase = "Synchronizing"))],
    migrationPolicies: [buildMigrationPolicy("db-slow")],
    kubevirt: {
      metadata: { name: "kubevirt", namespace: "kubevirt" },
      spec: { configuration: { cpuModel: "host-model" } },
    },
    namespaces: [buildNamespace("shop"), buildNamespace("default")],
    nodeMaintenances: [buildNodeMaintenance("nm-b", "node-b"), buildNodeMaintenance("nm-ghost", "node-z")],
    leases: [buildLease("node-a"), buildLease("node-b", (l) => (l.metadata.namespace = "default"))],
    pvcs: [
      buildPvc("db-1-data"),
      buildPvc("db-1-data", (p) => {
        p.metadata.namespace = "default";
        p.spec.volumeMode = "Block";
      }),
    ],
    nodeTopologies: [buildTopology("node-a")],
    power: new Map([["node-a", { state: "Off", observedAt: "2026-09-01T12:00:01Z", detail: "Redfish" }]]),
  };
}

function vmNamed(vms: readonly SnapshotVm[], name: string): SnapshotVm {
  const vm = vms.find((candidate) => candidate.name === name);
  expect(vm, `VM ${name}`).toBeDefined();
  return vm!;
}

describe("snapshotFromObjects", () => {
  const { snapshot, warnings } = snapshotFromObjects(clusterObjects());

  it("sorts nodes by name and VMs by namespace, then name", () => {
    expect(snapshot.nodes.map((node) => node.name)).toEqual(["node-a", "node-b", "node-c"]);
    expect(snapshot.vms.map((vm) => `${vm.namespace}/${vm.name}`)).toEqual([
      "default/standalone-1",
      "shop/app-2",
      "shop/db-1",
      "shop/web-1",
    ]);
    expect(snapshot.namespaces.map((ns) => ns.name)).toEqual(["default", "shop"]);
  });

  it("names every object it left out or could not join, and why", () => {
    expect(warnings).toEqual([
      'Node node-x left out: status.capacity.cpu: not a valid quantity: "lots" (examples: 500m, 4, 16Gi)',
      "NodeMaintenance nm-ghost names node node-z, which is not in the snapshot; ignored",
      "VirtualMachineInstance shop/done-1 is Succeeded (final); left out",
      "VirtualMachineInstance shop/pending-1 is not placed on a node yet (phase Scheduling); left out",
      "VirtualMachineInstance default/standalone-1: no virt-launcher pod on node node-c; requests are taken from the VMI spec",
      'VirtualMachineInstance shop/odd-1 left out: spec.evictionStrategy: unknown value "Teleport" (expected one of "None", "LiveMigrate", "LiveMigrateIfPossible", "External")',
      'VirtualMachineInstanceMigration shop/mig-ghost left out: status.phase: unknown value "Synchronizing" (expected one of "Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running", "Succeeded", "Failed")',
    ]);
  });

  it("takes a VMI's requests from its virt-launcher pod, ignoring pods that are not launchers", () => {
    expect(vmNamed(snapshot.vms, "web-1").requests.memory).toBe(4400 * MiB);
  });

  it("uses the source pod of a VMI that is mid-migration", () => {
    const db = vmNamed(snapshot.vms, "db-1");
    expect(db.node).toBe("node-a");
    expect(db.requests.memory).toBe(8 * GiB);
    expect(db.migrationSelectors).toStrictEqual({ [HOST_MODEL_SELECTOR]: "true" });
  });

  it("prefers the live pod over a finished one left by an earlier migration", () => {
    expect(vmNamed(snapshot.vms, "app-2").requests.memory).toBe(2 * GiB);
  });

  it("falls back to the VMI spec when no launcher pod is found", () => {
    expect(vmNamed(snapshot.vms, "standalone-1").requests).toStrictEqual({ cpu: 500, memory: 4 * GiB });
  });

  it("joins VMs by owner reference, PVCs by namespace", () => {
    const db = vmNamed(snapshot.vms, "db-1");
    expect(db.runStrategy).toBe("RerunOnFailure");
    expect(db.volumes).toStrictEqual([
      {
        name: "data",
        source: "persistentVolumeClaim",
        claimName: "db-1-data",
        accessModes: ["ReadWriteMany"],
        volumeMode: "Filesystem",
      },
    ]);
    expect(vmNamed(snapshot.vms, "standalone-1")).not.toHaveProperty("runStrategy");
  });

  it("joins leases from kube-node-lease, topologies, NodeMaintenances and BMC power readings to their nodes", () => {
    const [a, b, c] = snapshot.nodes;
    expect(a?.lease).toStrictEqual({ renewTime: "2026-09-01T11:59:58.123456Z", durationSeconds: 40 });
    expect(a?.power).toStrictEqual({ state: "Off", observedAt: "2026-09-01T12:00:01Z", detail: "Redfish" });
    expect(b).not.toHaveProperty("power");
    expect(a?.numa?.cells).toHaveLength(2);
    expect(b).not.toHaveProperty("lease");
    expect(b?.maintenance).toStrictEqual({
      source: "NodeMaintenance",
      reason: "firmware update",
      since: "2026-09-01T10:00:00Z",
    });
    expect(c).not.toHaveProperty("maintenance");
  });

  it("carries migrations, policies, namespaces and the kubevirt section", () => {
    expect(snapshot.migrations.map((m) => m.name)).toEqual(["mig-db-1"]);
    expect(snapshot.migrationPolicies.map((p) => p.name)).toEqual(["db-slow"]);
    expect(snapshot.namespaces[0]).toStrictEqual({ name: "default", labels: { tier: "prod" } });
    expect(snapshot.kubevirt.cpuModel).toBe("host-model");
    expect(snapshot.metadata).toStrictEqual({ name: "test-cluster" });
    expect(snapshot.takenAt).toBe(TAKEN_AT);
  });

  it("round-trips through the snapshot file format unchanged", () => {
    expect(roundTrip(snapshot)).toStrictEqual(snapshot);
  });

  it("gives the core a model it can read without complaint", () => {
    const model = buildClusterModel(snapshot);
    expect(model.warnings).toEqual([]);
    expect(model.vms.map((vm) => vm.key)).toEqual(["default/standalone-1", "shop/app-2", "shop/db-1", "shop/web-1"]);
    expect(model.migrations[0]?.inFlight).toBe(true);
  });

  it("gives the same snapshot and warnings whatever order the objects come in", () => {
    const objects = clusterObjects();
    const lists = [
      "nodes",
      "pods",
      "vmis",
      "vms",
      "vmims",
      "namespaces",
      "nodeMaintenances",
      "leases",
      "pvcs",
    ] as const;
    fc.assert(
      fc.property(
        fc.tuple(...lists.map((list) => fc.shuffledSubarray([...objects[list]], { minLength: objects[list].length }))),
        (shuffled) => {
          const permuted: KubeObjects = {
            ...objects,
            ...Object.fromEntries(lists.map((list, i) => [list, shuffled[i]])),
          };
          expect(snapshotFromObjects(permuted)).toStrictEqual({ snapshot, warnings });
        },
      ),
      { numRuns: 25 },
    );
  });

  it("builds a valid, empty snapshot from no objects, with KubeVirt's defaults", () => {
    const empty = snapshotFromObjects({ takenAt: TAKEN_AT });
    expect(empty.warnings).toEqual([]);
    expect(empty.snapshot).toMatchObject({ metadata: { name: "snapshot" }, nodes: [], vms: [], migrations: [] });
    expect(roundTrip(empty.snapshot)).toStrictEqual(empty.snapshot);
  });

  it("stays quiet about missing launcher pods when no pods were listed at all", () => {
    const { warnings: quiet } = snapshotFromObjects({
      takenAt: TAKEN_AT,
      nodes: [buildNode("node-a")],
      vmis: [buildVmi("web-1")],
    });
    expect(quiet).toEqual([]);
  });
});
