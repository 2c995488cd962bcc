/**
 * The cache's trims keep everything the snapshot reads: a snapshot built from trimmed objects is the
 * one built from whole objects (warnings included), for what the twin's scenarios make (before,
 * during and after a maintenance evacuation and a host failure) and for odd objects; and the trims
 * do cut what nothing reads, so the comparison is not vacuous.
 */
import { describe, expect, it } from "vitest";
import type { KubeObjects } from "../../src/adapters/kube/convert/snapshot.ts";
import { snapshotFromObjects } from "../../src/adapters/kube/convert/snapshot.ts";
import { type JsonObject, peek } from "../../src/adapters/kube/convert/meta.ts";
import { trimObject, trimPod } from "../../src/controller/cache/trim.ts";
import { applyScenario, loadScenarioFile, SCENARIO_LIBRARY } from "../../src/twin/scenario/index.ts";
import { Twin } from "../../src/twin/twin.ts";
import { type Apply, buildLauncherPod, buildNode, buildVm, buildVmi, TAKEN_AT } from "../adapters/kube/builders.ts";

const MINUTE = 60_000;

function keysAt(object: unknown, ...path: string[]): string[] {
  return Object.keys((peek(object, path) as object | undefined) ?? {});
}

/** What the controller's cache holds: launcher pods only, each list trimmed as cluster-cache.ts does. */
function trimmed(objects: KubeObjects): KubeObjects {
  const all = (list: readonly unknown[] | undefined): JsonObject[] | undefined =>
    list?.map((object) => trimObject(object as JsonObject));
  return {
    ...objects,
    nodes: all(objects.nodes),
    pods: objects.pods?.map((pod) => trimPod(pod as JsonObject)),
    namespaces: all(objects.namespaces),
    leases: all(objects.leases),
    vmis: all(objects.vmis),
    vms: all(objects.vms),
    vmims: all(objects.vmims),
    migrationPolicies: all(objects.migrationPolicies),
    nodeMaintenances: all(objects.nodeMaintenances),
    ...(objects.kubevirt !== undefined && { kubevirt: trimObject(objects.kubevirt) }),
  } as KubeObjects;
}

async function twinObjects(name: string, minutes: number): Promise<KubeObjects> {
  const loaded = await loadScenarioFile(`${SCENARIO_LIBRARY}/${name}.yaml`);
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.errors)}`);
  const spec = loaded.scenario.document.spec;
  const twin = Twin.create({ seed: spec.seed ?? 1, start: spec.start });
  try {
    applyScenario(twin, loaded.scenario);
    twin.advance(minutes * MINUTE);
    const { store, resources } = twin.runtime;
    const launcher = (pod: unknown): boolean => peek(pod, ["metadata", "labels", "kubevirt.io"]) === "virt-launcher";
    return {
      takenAt: new Date(twin.runtime.clock.now()).toISOString(),
      nodes: store.list(resources.nodes),
      pods: store.list(resources.pods).filter(launcher),
      namespaces: store.list(resources.namespaces),
      leases: store.list(resources.leases),
      vmis: store.list(resources.virtualMachineInstances),
      vms: store.list(resources.virtualMachines),
      vmims: store.list(resources.migrations),
      migrationPolicies: store.list(resources.migrationPolicies),
      nodeMaintenances: store.list(resources.nodeMaintenances),
      kubevirt: store.list(resources.kubevirts)[0],
    } as KubeObjects;
  } finally {
    await twin.stop();
  }
}

describe.each([
  ["demo", 2],
  ["mixed-cpu", 2],
  ["numa", 2],
  ["maintenance", 12],
  ["host-failure", 14],
])("the %s scenario after %i virtual minutes", (name, minutes) => {
  it("gives the same snapshot from trimmed objects as from whole ones", async () => {
    const objects = await twinObjects(name, minutes);
    expect(objects.vmis?.length).toBeGreaterThan(0);
    expect(snapshotFromObjects(trimmed(objects))).toEqual(snapshotFromObjects(objects));
  });
});

describe("what the trims cut", () => {
  it("drops a VM's template and status and a VMI's bookkeeping, as the twin writes them", async () => {
    const objects = await twinObjects("maintenance", 12);
    const vm = objects.vms?.[0];
    const vmi = objects.vmis?.find((item) => peek(item, ["status", "volumeStatus"]) !== undefined);
    expect(keysAt(vm, "spec")).toContain("template");
    expect(keysAt(vmi, "status")).toEqual(expect.arrayContaining(["phaseTransitionTimestamps", "activePods"]));

    const slimVm = trimObject(vm as JsonObject);
    expect(keysAt(slimVm, "spec")).not.toContain("template");
    expect(slimVm.status).toBeUndefined();
    const slimVmi = trimObject(vmi as JsonObject);
    const kept = ["phase", "nodeName", "conditions", "machine", "topologyHints", "memory", "volumeStatus"];
    expect(keysAt(slimVmi, "status").sort()).toEqual(
      kept.filter((field) => keysAt(vmi, "status").includes(field)).sort(),
    );
    expect(slimVmi.spec).toEqual(peek(vmi, ["spec"]));
    expect(peek(slimVmi, ["metadata", "labels"])).toEqual(peek(vmi, ["metadata", "labels"]));
  });

  it("keeps one copy of what a template makes alike, and each VMI's own volumes and names its own", async () => {
    const objects = await twinObjects("maintenance", 12);
    const [first, second] = (objects.vmis ?? [])
      .filter((vmi) => peek(vmi, ["metadata", "labels", "twin.kubedrs.io/group"]) === "app")
      .map((vmi) => trimObject(vmi));
    expect(peek(first, ["spec", "domain", "cpu"])).toBeDefined();
    for (const part of [
      ["spec", "domain", "cpu"],
      ["spec", "domain", "devices"],
      ["spec", "networks"],
      ["status", "memory"],
    ]) {
      expect(peek(first, part), part.join(".")).toBeTypeOf("object");
      expect(peek(second, part), part.join(".")).toBe(peek(first, part));
    }
    const volumeStatus = (vmi: unknown): unknown[] => peek(vmi, ["status", "volumeStatus"]) as unknown[];
    expect(volumeStatus(second)[0]).toBeTypeOf("object");
    expect(volumeStatus(second)[0]).toBe(volumeStatus(first)[0]);
    expect(peek(second, ["spec", "volumes"])).not.toBe(peek(first, ["spec", "volumes"]));
    expect(peek(second, ["spec", "domain"])).not.toBe(peek(first, ["spec", "domain"]));
    const disks = peek(first, ["spec", "domain", "devices", "disks"]) as unknown[];
    expect(disks[0]).toBeTypeOf("object");
    expect(Object.isFrozen(disks[0])).toBe(true);
    const [podA, podB] = (objects.pods ?? []).map((pod) => trimPod(pod as JsonObject));
    expect(peek(podB, ["status"])).toBe(peek(podA, ["status"]));
  });

  it("drops a node's images, volumes, addresses and system info, and keeps what the snapshot reads", () => {
    const node = buildNode("node-a", (object) => {
      object.metadata.uid = "node-uid";
      object.spec = { podCIDR: "10.0.0.0/24", providerID: "kubevirt://a", taints: [], unschedulable: true };
      object.status.images = [{ names: ["quay.io/kubevirt/virt-launcher@sha256:0"], sizeBytes: 1 }];
      object.status.volumesInUse = ["kubernetes.io/csi/rbd^0001"];
      object.status.addresses = [{ type: "InternalIP", address: "10.0.0.1" }];
      object.status.nodeInfo = { kubeletVersion: "v1.33.4" };
    });
    const slim = trimObject(node);
    expect(keysAt(slim, "spec").sort()).toEqual(["taints", "unschedulable"]);
    expect(keysAt(slim, "status").sort()).toEqual(["allocatable", "capacity", "conditions"]);
    expect(slim.metadata).toEqual(node.metadata);
  });

  it("drops a VMI's and a launcher pod's metadata bookkeeping, and cuts owner references to kind and name", () => {
    const bookkeeping = {
      finalizers: ["kubevirt.io/virtualMachineControllerFinalize"],
      creationTimestamp: "2026-09-01T10:00:00Z",
      generation: 2,
      resourceVersion: "42",
    };
    const vmi = buildVmi("web", (object) => {
      Object.assign(object.metadata, bookkeeping);
    });
    const pod = buildLauncherPod(vmi, "node-a", (object) => {
      Object.assign(object.metadata, bookkeeping, { uid: "pod-uid", generateName: "virt-launcher-web-" });
      object.metadata.ownerReferences = [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", name: "web" }];
    });
    expect(keysAt(trimObject(vmi), "metadata").sort()).toEqual(
      ["annotations", "labels", "name", "namespace", "ownerReferences", "uid"].filter((key) =>
        keysAt(vmi, "metadata").includes(key),
      ),
    );
    expect(peek(trimObject(vmi), ["metadata", "ownerReferences"])).toEqual([{ kind: "VirtualMachine", name: "web" }]);
    expect(keysAt(trimPod(pod), "metadata").sort()).toEqual(["labels", "name", "namespace"]);
    expect(keysAt(pod, "metadata", "labels").length).toBeGreaterThan(2);
    expect(keysAt(trimPod(pod), "metadata", "labels").sort()).toEqual(["kubevirt.io", "kubevirt.io/created-by"]);
  });

  it("keeps of a VMI's conditions LiveMigratable's status, reason and message, and an odd entry as it is", () => {
    const liveMigratable = {
      type: "LiveMigratable",
      status: "False",
      reason: "DisksNotLiveMigratable",
      message: "cannot migrate VMI: PVC rootdisk is not shared",
    };
    const vmi = buildVmi("web", (object) => {
      object.status.conditions = [
        { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2026-09-01T10:00:00Z" },
        { ...liveMigratable, lastProbeTime: null, lastTransitionTime: "2026-09-01T10:00:01Z" },
        "not a condition",
      ];
    });
    expect(peek(trimObject(vmi), ["status", "conditions"])).toEqual([liveMigratable, "not a condition"]);
  });

  it("keeps of a VM only its name and namespace, what joins it to its VMI", () => {
    const vm = buildVm("web", (object) => {
      object.metadata.labels = { app: "web" };
      object.metadata.annotations = { "kubevirt.io/latest-observed-api-version": "v1" };
      object.metadata.uid = "vm-uid";
    });
    expect(trimObject(vm).metadata).toEqual({ name: "web", namespace: peek(vm, ["metadata", "namespace"]) });
  });

  it("keeps an absent field absent: a VM that only says running: false stays Halted, not unset", () => {
    const vm = buildVm("web", (object) => {
      delete object.spec.runStrategy;
      object.spec.running = false;
    });
    expect(trimObject(vm).spec).toEqual({ running: false });
  });

  it("leaves an object without a kind whole but for managedFields", () => {
    const vmi = buildVmi("web", (object) => {
      delete object.kind;
      object.metadata.managedFields = [{ manager: "virt-handler" }];
    });
    const { managedFields: _managed, ...metadata } = vmi.metadata as JsonObject;
    expect(trimObject(vmi)).toEqual({ ...vmi, metadata });
  });
});

/** One VM on node-a with its launcher pod, after `apply` bends one of them out of shape. */
function oddCluster(applyVmi?: Apply, applyVm?: Apply, applyNode?: Apply): KubeObjects {
  const vmi = buildVmi("web", applyVmi);
  return {
    takenAt: TAKEN_AT,
    nodes: [buildNode("node-a", applyNode)],
    vmis: [vmi],
    vms: [buildVm("web", applyVm)],
    pods: [buildLauncherPod(vmi, "node-a")],
  };
}

describe("odd objects give the same snapshot and the same warnings trimmed", () => {
  it.each<[string, Apply | undefined, Apply | undefined]>([
    ["as built", undefined, undefined],
    [
      "a VMI that cannot migrate, with conditions beside LiveMigratable and an odd one",
      (vmi) => {
        vmi.status.conditions = [
          { type: "Ready", status: "True", lastTransitionTime: "2026-09-01T10:00:00Z" },
          { type: "LiveMigratable", status: "False", reason: "InterfaceNotLiveMigratable", message: "bridge" },
          42,
        ];
      },
      undefined,
    ],
    [
      "a VM setting runStrategy and running together",
      undefined,
      (vm) => {
        vm.spec.running = true;
      },
    ],
    [
      "a VM without a spec",
      undefined,
      (vm) => {
        delete vm.spec;
      },
    ],
    [
      "a VM whose spec is a string",
      undefined,
      (vm) => {
        vm.spec = "Always";
      },
    ],
    [
      "a VM with DataVolume templates the VMI's volume names",
      (vmi) => {
        delete vmi.status.volumeStatus;
      },
      (vm) => {
        vm.spec.dataVolumeTemplates = [
          {
            metadata: { name: "web-root" },
            spec: { storage: { accessModes: ["ReadWriteOnce"], volumeMode: "Block" } },
          },
        ];
      },
    ],
    [
      "a VMI whose status is a string",
      (vmi) => {
        vmi.status = "Running";
      },
      undefined,
    ],
    [
      "a VMI whose volumeStatus is not a list",
      (vmi) => {
        vmi.status.volumeStatus = { rootdisk: {} };
      },
      undefined,
    ],
    [
      "a VMI whose volumeStatus holds odd entries",
      (vmi) => {
        vmi.status.volumeStatus = [
          "rootdisk",
          { name: "rootdisk", persistentVolumeClaimInfo: null },
          { name: "rootdisk", persistentVolumeClaimInfo: { accessModes: ["Sometimes"], capacity: { storage: "1Gi" } } },
        ];
      },
      undefined,
    ],
    [
      "a VMI that is not LiveMigratable, with a reason",
      (vmi) => {
        vmi.status.conditions = [
          { type: "LiveMigratable", status: "False", reason: "DisksNotLiveMigratable", message: "RWO disk" },
        ];
      },
      undefined,
    ],
    [
      "a VMI whose guest memory only its status tells",
      (vmi) => {
        delete vmi.spec.domain.memory;
        delete vmi.spec.domain.resources.requests.memory;
        vmi.status.memory = { guestAtBoot: "4Gi", guestCurrent: "4Gi", guestRequested: "4Gi" };
      },
      undefined,
    ],
    [
      "a VMI pinned to a TSC frequency",
      (vmi) => {
        vmi.status.topologyHints = { tscFrequency: 2_100_000_000 };
      },
      undefined,
    ],
    [
      "a VMI without a node",
      (vmi) => {
        delete vmi.status.nodeName;
        vmi.status.phase = "Scheduling";
      },
      undefined,
    ],
  ])("%s", (_name, applyVmi, applyVm) => {
    const objects = oddCluster(applyVmi, applyVm);
    expect(snapshotFromObjects(trimmed(objects))).toEqual(snapshotFromObjects(objects));
  });

  it.each<[string, Apply]>([
    [
      "a cordoned, tainted node with images and system info",
      (node) => {
        node.spec = { unschedulable: true, taints: [{ key: "maintenance", effect: "NoSchedule" }], podCIDR: "x" };
        node.status.images = [{ names: ["img"], sizeBytes: 1 }];
        node.status.nodeInfo = { kubeletVersion: "v1.33.4" };
      },
    ],
    [
      "a node whose spec is a string",
      (node) => {
        node.spec = "cordoned";
      },
    ],
    [
      "a node whose status is a string",
      (node) => {
        node.status = "Ready";
      },
    ],
    [
      "a node without spec or status",
      (node) => {
        delete node.spec;
        delete node.status;
      },
    ],
    [
      "a node with an odd condition",
      (node) => {
        node.status.conditions = [{ type: "Ready" }, "NotReady"];
      },
    ],
  ])("%s", (_name, applyNode) => {
    const objects = oddCluster(undefined, undefined, applyNode);
    expect(snapshotFromObjects(trimmed(objects))).toEqual(snapshotFromObjects(objects));
  });
});
