import type { V1Lease, V1Node } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { nodeFromKube } from "../../../src/adapters/kube/convert/index.ts";
import type { SnapshotNode } from "../../../src/core/model/snapshot.ts";
import {
  type Apply,
  buildLease,
  buildNode,
  buildNodeMaintenance,
  buildTopology,
  expectClean,
  expectLeftOut,
  GiB,
  MiB,
} from "./builders.ts";

describe("nodeFromKube", () => {
  it("maps a plain node: metadata, conditions, capacity and allocatable", () => {
    expect(expectClean(nodeFromKube(buildNode("node-a")))).toStrictEqual<SnapshotNode>({
      name: "node-a",
      labels: { "kubernetes.io/hostname": "node-a", "kubevirt.io/schedulable": "true" },
      annotations: {},
      taints: [],
      unschedulable: false,
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "KubeletReady",
          lastTransitionTime: "2026-08-01T00:00:00Z",
          lastHeartbeatTime: "2026-09-01T11:59:30Z",
        },
      ],
      capacity: { cpu: 16_000, memory: 64 * GiB, pods: 110 },
      allocatable: { cpu: 15_500, memory: 62 * GiB, pods: 110 },
    });
  });

  it("copies taints and the cordon", () => {
    const node = buildNode("node-a", (n) => {
      n.spec.unschedulable = true;
      n.spec.taints = [
        { key: "dedicated", value: "gpu", effect: "NoSchedule" },
        { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: "2026-09-01T11:55:00Z" },
      ];
    });
    const converted = expectClean(nodeFromKube(node));
    expect(converted.unschedulable).toBe(true);
    expect(converted.taints).toStrictEqual([
      { key: "dedicated", value: "gpu", effect: "NoSchedule" },
      { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: "2026-09-01T11:55:00Z" },
    ]);
  });

  it.each([
    ["cpu", "3500m", 3500],
    ["cpu", "2", 2000],
    ["cpu", 4, 4000],
    ["cpu", "0.1", 100],
    ["memory", "16Gi", 16 * GiB],
    ["memory", "1e9", 1e9],
    ["memory", "500M", 5e8],
    ["hugepages-1Gi", "4Gi", 4 * GiB],
    ["hugepages-2Mi", "512Mi", 512 * MiB],
    ["pods", "110", 110],
    ["nvidia.com/gpu", "2", 2],
    ["devices.kubevirt.io/kvm", "1k", 1000],
  ])("reads capacity %s=%j as %d", (resource, quantity, expected) => {
    const node = buildNode("node-a", (n) => {
      n.status.capacity[resource] = quantity;
    });
    expect(expectClean(nodeFromKube(node)).capacity[resource]).toBe(expected);
  });

  it("leaves allocatable out when the node reports none", () => {
    const node = buildNode("node-a", (n) => {
      delete n.status.allocatable;
    });
    expect(expectClean(nodeFromKube(node))).not.toHaveProperty("allocatable");
  });

  it("accepts client-node objects, whose timestamps are Dates", () => {
    const node: V1Node = {
      metadata: { name: "node-a" },
      spec: { taints: [{ key: "k", effect: "NoSchedule", timeAdded: new Date("2026-09-01T11:00:00Z") }] },
      status: {
        capacity: { cpu: "8", memory: "32Gi" },
        conditions: [
          { type: "Ready", status: "True", lastTransitionTime: new Date("2026-08-01T00:00:00Z") },
          { type: "MemoryPressure", status: "False", lastHeartbeatTime: new Date("2026-09-01T11:59:30.250Z") },
        ],
      },
    };
    const lease: V1Lease = { metadata: { name: "node-a", namespace: "kube-node-lease" }, spec: {} };
    lease.spec!.renewTime = new Date("2026-09-01T11:59:58.500Z");
    const converted = expectClean(nodeFromKube(node, { lease }));
    expect(converted.taints[0]?.timeAdded).toBe("2026-09-01T11:00:00Z");
    expect(converted.conditions.map((c) => c.lastTransitionTime ?? c.lastHeartbeatTime)).toEqual([
      "2026-08-01T00:00:00Z",
      "2026-09-01T11:59:30.250Z",
    ]);
    expect(converted.lease).toStrictEqual({ renewTime: "2026-09-01T11:59:58.500Z" });
  });

  describe("NUMA", () => {
    it("maps the Node zones of a NodeResourceTopology, in cell order", () => {
      const converted = expectClean(nodeFromKube(buildNode("node-a"), { topology: buildTopology("node-a") }));
      expect(converted.numa).toStrictEqual({
        topologyPolicy: "single-numa-node",
        cells: [
          { id: 0, cpus: "0-13", memory: 31 * GiB, hugepages: { "1Gi": 8, "2Mi": 512 } },
          { id: 1, cpus: "14-27", memory: 31 * GiB, hugepages: { "1Gi": 8 } },
        ],
      });
    });

    it.each([
      ["SingleNUMANodePodLevel", "single-numa-node"],
      ["RestrictedContainerLevel", "restricted"],
      ["BestEffortPodLevel", "best-effort"],
      ["None", "none"],
    ])("falls back to the deprecated topologyPolicies %s → %s", (deprecated, policy) => {
      const topology = buildTopology("node-a", (t) => {
        delete t.attributes;
        t.topologyPolicies = [deprecated];
      });
      const converted = expectClean(nodeFromKube(buildNode("node-a"), { topology }));
      expect(converted.numa?.topologyPolicy).toBe(policy);
    });

    it("uses capacity where a zone reports no allocatable, and one CPU is a single id", () => {
      const topology = buildTopology("node-a", (t) => {
        t.zones = [{ name: "node-0", type: "Node", resources: [{ name: "cpu", capacity: "1" }] }];
      });
      const converted = expectClean(nodeFromKube(buildNode("node-a"), { topology }));
      expect(converted.numa?.cells).toStrictEqual([{ id: 0, cpus: "0", hugepages: {} }]);
    });

    it("keeps the node but drops an unmappable topology, with a warning naming it", () => {
      const topology = buildTopology("node-a", (t) => {
        t.zones[0].resources = [{ name: "memory", capacity: "32Gi" }];
      });
      const converted = nodeFromKube(buildNode("node-a"), { topology });
      expect(converted.value?.name).toBe("node-a");
      expect(converted.value).not.toHaveProperty("numa");
      expect(converted.warnings).toEqual([
        "NodeResourceTopology node-a left out: zones[0].resources: no cpu resource in this NUMA zone",
      ]);
    });

    it("prefers an already-shaped layout over the topology object", () => {
      const numa = { topologyPolicy: "restricted" as const, cells: [{ id: 0, cpus: "0-63", hugepages: {} }] };
      const converted = expectClean(nodeFromKube(buildNode("node-a"), { numa, topology: buildTopology("node-a") }));
      expect(converted.numa).toBe(numa);
    });
  });

  describe("lease", () => {
    it("takes renewTime and leaseDurationSeconds", () => {
      const converted = expectClean(nodeFromKube(buildNode("node-a"), { lease: buildLease("node-a") }));
      expect(converted.lease).toStrictEqual({ renewTime: "2026-09-01T11:59:58.123456Z", durationSeconds: 40 });
    });

    it("ignores an odd lease with a warning, keeping the node", () => {
      const lease = buildLease("node-a", (l) => {
        l.spec.renewTime = "yesterday";
      });
      const converted = nodeFromKube(buildNode("node-a"), { lease });
      expect(converted.value?.name).toBe("node-a");
      expect(converted.value).not.toHaveProperty("lease");
      expect(converted.warnings).toEqual([
        'Lease kube-node-lease/node-a left out: spec.renewTime: expected an RFC 3339 time, found "yesterday"',
      ]);
    });
  });

  describe("maintenance", () => {
    const annotated =
      (value: string): Apply =>
      (n) => {
        n.metadata.annotations = { "kubedrs.io/maintenance": value };
      };

    it.each([
      [
        "the annotation, with its value as the reason",
        annotated("disk swap"),
        [],
        { source: "annotation", reason: "disk swap" },
      ],
      ["an empty annotation", annotated(""), [], { source: "annotation" }],
      [
        "a NodeMaintenance, over the annotation",
        annotated("disk swap"),
        [buildNodeMaintenance("nm-a", "node-a")],
        { source: "NodeMaintenance", reason: "firmware update", since: "2026-09-01T10:00:00Z" },
      ],
      [
        "the oldest of two NodeMaintenances",
        undefined,
        [
          buildNodeMaintenance("nm-late", "node-a", (nm) => {
            nm.metadata.creationTimestamp = "2026-09-01T11:00:00Z";
            nm.spec.reason = "late";
          }),
          buildNodeMaintenance("nm-early", "node-a", (nm) => {
            nm.spec.reason = "early";
          }),
        ],
        { source: "NodeMaintenance", reason: "early", since: "2026-09-01T10:00:00Z" },
      ],
    ])("comes from %s", (_case, apply, nodeMaintenances, expected) => {
      const converted = expectClean(nodeFromKube(buildNode("node-a", apply), { nodeMaintenances }));
      expect(converted.maintenance).toStrictEqual(expected);
    });

    it.each([
      ["names another node", buildNodeMaintenance("nm-b", "node-b")],
      [
        "is being deleted",
        buildNodeMaintenance("nm-a", "node-a", (nm) => {
          nm.metadata.deletionTimestamp = "2026-09-01T11:58:00Z";
        }),
      ],
    ])("is absent when the only NodeMaintenance %s", (_case, nodeMaintenance) => {
      const converted = expectClean(nodeFromKube(buildNode("node-a"), { nodeMaintenances: [nodeMaintenance] }));
      expect(converted).not.toHaveProperty("maintenance");
    });
  });

  describe("odd nodes are left out, naming the field", () => {
    it.each<[string, Apply, string]>([
      ["no name", (n) => delete n.metadata.name, "Node <no name> left out: metadata.name: missing"],
      [
        "an unparsable CPU",
        (n) => (n.status.capacity.cpu = "lots"),
        'Node node-a left out: status.capacity.cpu: not a valid quantity: "lots" (examples: 500m, 4, 16Gi)',
      ],
      [
        "negative memory",
        (n) => (n.status.allocatable.memory = "-1Gi"),
        'Node node-a left out: status.allocatable.memory: not a valid quantity: "-1Gi" (examples: 500m, 4, 16Gi)',
      ],
      [
        "an unknown taint effect",
        (n) => (n.spec.taints = [{ key: "k", effect: "Sometimes" }]),
        'Node node-a left out: spec.taints[0].effect: unknown value "Sometimes" (expected one of "NoSchedule", "PreferNoSchedule", "NoExecute")',
      ],
      [
        "a taint without a key",
        (n) => (n.spec.taints = [{ effect: "NoSchedule" }]),
        "Node node-a left out: spec.taints[0].key: missing",
      ],
      [
        "an unknown condition status",
        (n) => (n.status.conditions[0].status = "Maybe"),
        'Node node-a left out: status.conditions[0].status: unknown value "Maybe" (expected one of "True", "False", "Unknown")',
      ],
      [
        "a label that is not a string",
        (n) => (n.metadata.labels["rack"] = 7),
        "Node node-a left out: metadata.labels.rack: expected a string, found 7",
      ],
      [
        "a label key with dots and slashes",
        (n) => (n.metadata.labels["topology.kubernetes.io/zone"] = false),
        'Node node-a left out: metadata.labels["topology.kubernetes.io/zone"]: expected a string, found false',
      ],
      [
        "spec.unschedulable as a string",
        (n) => (n.spec.unschedulable = "yes"),
        'Node node-a left out: spec.unschedulable: expected true or false, found "yes"',
      ],
      [
        "a bad timestamp",
        (n) => (n.status.conditions[0].lastTransitionTime = "last week"),
        'Node node-a left out: status.conditions[0].lastTransitionTime: expected an RFC 3339 time, found "last week"',
      ],
      [
        "taints that are not a list",
        (n) => (n.spec.taints = { key: "k" }),
        "Node node-a left out: spec.taints: expected a list, found an object",
      ],
    ])("%s", (_case, apply, warning) => {
      expect(expectLeftOut(nodeFromKube(buildNode("node-a", apply)))).toEqual([warning]);
    });

    it("reports every odd field, not just the first", () => {
      const node = buildNode("node-a", (n) => {
        n.status.capacity.cpu = "lots";
        n.status.capacity.memory = "much";
      });
      expect(expectLeftOut(nodeFromKube(node))).toHaveLength(2);
    });

    it.each([null, "node-a", 42, []])("never throws, even for %j", (raw) => {
      expect(expectLeftOut(nodeFromKube(raw as never))[0]).toMatch(/^Node <no name> left out: /);
    });
  });
});
