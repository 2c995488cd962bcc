import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/twin/api/types.ts";
import type { Twin } from "../../../src/twin/twin.ts";
import {
  AMD_LABELS,
  NAMESPACE,
  type VmOptions,
  advance,
  conditionOf,
  createVm,
  eventsFor,
  kubevirtTwin,
  launcherPods,
  phaseOf,
  recordIn,
  templateSpec,
  textAt,
  vmManifest,
  vmOf,
  vmiOf,
} from "../support/kubevirt-fixture.ts";

function nodeOfVmi(twin: Twin, name: string): string {
  return textAt(vmiOf(twin, name), "status", "nodeName");
}

/** Changes the VM's template spec. */
function template(apply: (vm: KubeObject) => void): (vm: KubeObject) => void {
  return apply;
}

describe("a VMI's phases", () => {
  it("goes Pending → Scheduling → Scheduled → Running and reports its node, pod and IP", () => {
    const twin = kubevirtTwin();
    createVm(twin, "web");
    advance(twin, 30);
    const vmi = vmiOf(twin, "web");
    const pod = launcherPods(twin, "web")[0];
    const phases = (vmi?.status?.phaseTransitionTimestamps as { phase: string }[]).map((entry) => entry.phase);
    expect(phases).toEqual(["Pending", "Scheduling", "Scheduled", "Running"]);
    expect(vmi?.status).toMatchObject({
      phase: "Running",
      nodeName: pod?.spec?.nodeName,
      activePods: { [pod?.metadata.uid ?? ""]: pod?.spec?.nodeName },
      interfaces: [{ name: "default", ipAddress: pod?.status?.podIP }],
    });
    expect(vmi?.metadata.labels).toMatchObject({ "kubevirt.io/nodeName": pod?.spec?.nodeName });
    expect(conditionOf(vmi, "Ready")).toMatchObject({ status: "True" });
    expect(twin.runtime.truth.hostsOf(`${NAMESPACE}/web`)).toEqual([pod?.spec?.nodeName]);
  });
});

describe("a VMI created with a status", () => {
  it("starts from a blank status and gets exactly one launcher pod", () => {
    const twin = kubevirtTwin();
    const template = recordIn(vmManifest("bare"), "spec", "template");
    const vmi: KubeObject = {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: { name: "bare", namespace: NAMESPACE },
      spec: recordIn(template, "spec"),
      // A client restoring a backup carries the old status along; KubeVirt's mutator starts afresh.
      status: { phase: "Running", nodeName: "node-c" },
    };
    const created = twin.runtime.store.create(twin.runtime.resources.virtualMachineInstances, vmi, { actor: "api" });
    expect(created.status).toMatchObject({ phase: "Pending" });
    expect(created.status?.nodeName).toBeUndefined();
    advance(twin, 60);
    expect(launcherPods(twin, "bare")).toHaveLength(1);
    expect(phaseOf(vmiOf(twin, "bare"))).toBe("Running");
  });
});

describe("the LiveMigratable condition", () => {
  it.each<{ name: string; options: VmOptions; status: string; reason: string | undefined }>([
    { name: "masquerade on the pod network", options: {}, status: "True", reason: undefined },
    {
      name: "KubeVirt's default bridge binding",
      options: { masquerade: false },
      status: "False",
      reason: "InterfaceNotLiveMigratable",
    },
    {
      name: "a ReadWriteMany PVC (the default access mode)",
      options: {
        apply: template((vm) => {
          templateSpec(vm).volumes = [{ name: "root", persistentVolumeClaim: { claimName: "web-root" } }];
        }),
      },
      status: "True",
      reason: undefined,
    },
    {
      name: "a ReadWriteOnce DataVolume",
      options: {
        annotations: { "twin.kubedrs.io/volume-access-modes": JSON.stringify({ root: ["ReadWriteOnce"] }) },
        apply: template((vm) => {
          templateSpec(vm).volumes = [{ name: "root", dataVolume: { name: "web-root" } }];
        }),
      },
      status: "False",
      reason: "DisksNotLiveMigratable",
    },
    {
      name: "a passed-through host device",
      options: {
        apply: template((vm) => {
          recordIn(templateSpec(vm), "domain", "devices").hostDevices = [{ name: "qat", deviceName: "intel.com/qat" }];
        }),
      },
      status: "False",
      reason: "HostDeviceNotLiveMigratable",
    },
  ])("$name: $status $reason", ({ options, status, reason }) => {
    const twin = kubevirtTwin({
      nodes: { "node-a": { apply: (node) => Object.assign(node.status?.allocatable ?? {}, { "intel.com/qat": "4" }) } },
    });
    createVm(twin, "web", options);
    advance(twin, 30);
    const condition = conditionOf(vmiOf(twin, "web"), "LiveMigratable");
    expect(condition).toMatchObject({ status });
    expect(condition?.reason).toBe(reason);
  });

  it("is False for a host-model VM on a node the labeller gave no host model", () => {
    const { "host-model-cpu.node.kubevirt.io/EPYC-Milan": _, ...noHostModel } = AMD_LABELS;
    const twin = kubevirtTwin({ nodes: { "node-a": { labels: noHostModel } } });
    createVm(twin, "web");
    advance(twin, 30);
    expect(conditionOf(vmiOf(twin, "web"), "LiveMigratable")).toMatchObject({
      status: "False",
      reason: "CPUModeLiveMigratable",
      message: 'the node "node-a" does not allow migration with host-model',
    });
  });
});

describe("host failure (kubevirt-api.md §6.1)", () => {
  it("keeps the VMI Running with Ready=False while its pod hangs Terminating on a dead node", () => {
    const twin = kubevirtTwin();
    createVm(twin, "web");
    advance(twin, 30);
    const node = nodeOfVmi(twin, "web");
    twin.runtime.truth.setHost(node, { powered: false });
    // Ready=Unknown after 50 s, the unreachable taint, the pod's 300 s toleration, then an eviction that
    // never completes: the kubelet that would finish it is dead.
    advance(twin, 10 * 60);
    const pod = launcherPods(twin, "web")[0];
    expect(pod?.metadata.deletionTimestamp).toBeDefined();
    const vmi = vmiOf(twin, "web");
    expect(phaseOf(vmi)).toBe("Running");
    expect(conditionOf(vmi, "Ready")).toMatchObject({ status: "False", reason: "PodTerminating" });
    // virt-handler stopped beating: KubeVirt's node controller marks the node unschedulable.
    const nodeObject = twin.runtime.store.get(twin.runtime.resources.nodes, undefined, node);
    expect(nodeObject?.metadata.labels?.["kubevirt.io/schedulable"]).toBe("false");
    expect(eventsFor(twin, node)).toContainEqual(expect.objectContaining({ reason: "NodeUnresponsive" }));
    expect(vmOf(twin, "web")?.status?.printableStatus).toBe("Running");
  });

  it("fails the VMI once the stuck pod is force-deleted, and the VM restarts elsewhere", () => {
    const twin = kubevirtTwin();
    createVm(twin, "web");
    advance(twin, 30);
    const node = nodeOfVmi(twin, "web");
    const first = vmiOf(twin, "web")?.metadata.uid;
    twin.runtime.truth.setHost(node, { powered: false });
    advance(twin, 10 * 60);
    expect(phaseOf(vmiOf(twin, "web"))).toBe("Running");
    const pod = launcherPods(twin, "web")[0]!;
    twin.runtime.store.delete(twin.runtime.resources.pods, NAMESPACE, pod.metadata.name ?? "", {
      gracePeriodSeconds: 0,
      actor: "api",
    });
    advance(twin, 60);
    const vmi = vmiOf(twin, "web");
    expect(vmi?.metadata.uid).not.toBe(first);
    expect(phaseOf(vmi)).toBe("Running");
    expect(nodeOfVmi(twin, "web")).not.toBe(node);
    expect(twin.runtime.truth.splitBrainCount()).toBe(0);
  });

  it("fails the VMI when its host comes back without the guest (the kubelet marks the pod Failed)", () => {
    const twin = kubevirtTwin();
    createVm(twin, "web", { runStrategy: "Manual", apply: (vm) => ((vm.status ??= {}).stateChangeRequests = []) });
    twin.runtime.store.mutate(
      twin.runtime.resources.virtualMachines,
      { namespace: NAMESPACE, name: "web" },
      (vm) => {
        vm.status = { stateChangeRequests: [{ action: "Start" }] };
      },
      { subresource: "status" },
    );
    advance(twin, 30);
    const node = nodeOfVmi(twin, "web");
    twin.runtime.truth.setHost(node, { powered: false });
    advance(twin, 30);
    twin.runtime.truth.setHost(node, { powered: true });
    advance(twin, 5 * 60);
    expect(phaseOf(vmiOf(twin, "web"))).toBe("Failed");
    expect(twin.runtime.truth.hostsOf(`${NAMESPACE}/web`)).toEqual([]);
  });

  it("fails a VMI whose pod is no longer alive once virt-handler missed five minutes of heartbeats", () => {
    const twin = kubevirtTwin();
    createVm(twin, "web", { runStrategy: "Once" });
    advance(twin, 30);
    const node = nodeOfVmi(twin, "web");
    twin.runtime.truth.setHost(node, { networked: false });
    // The pod's containers died before the node went silent; nobody could report it since.
    const pod = launcherPods(twin, "web")[0]!;
    twin.runtime.store.mutate(
      twin.runtime.resources.pods,
      { namespace: NAMESPACE, name: pod.metadata.name ?? "" },
      (draft) => {
        draft.status = { ...draft.status, phase: "Failed" };
      },
      { subresource: "status" },
    );
    advance(twin, 4 * 60);
    expect(phaseOf(vmiOf(twin, "web"))).toBe("Running");
    advance(twin, 4 * 60);
    expect(vmiOf(twin, "web")?.status).toMatchObject({ phase: "Failed", reason: "NodeUnresponsive" });
    expect(eventsFor(twin, "web")).toContainEqual(
      expect.objectContaining({
        reason: "NodeUnresponsive",
        message: `virt-handler on node ${node} is not responsive, marking VMI as failed`,
      }),
    );
  });
});
