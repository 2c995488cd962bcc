import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/twin/api/types.ts";
import type { Twin } from "../../../src/twin/twin.ts";
import {
  NAMESPACE,
  advance,
  createVm,
  kubevirtTwin,
  launcherPods,
  phaseOf,
  templateSpec,
  vmOf,
  vmiOf,
} from "../support/kubevirt-fixture.ts";

function printable(twin: Twin, name: string): unknown {
  return vmOf(twin, name)?.status?.printableStatus;
}

function deletePod(twin: Twin, pod: KubeObject, gracePeriodSeconds?: number): void {
  twin.runtime.store.delete(twin.runtime.resources.pods, NAMESPACE, pod.metadata.name ?? "", {
    actor: "api",
    ...(gracePeriodSeconds !== undefined && { gracePeriodSeconds }),
  });
}

/** Starts a VM and lets it run; returns its first VMI's uid. */
function runningVm(twin: Twin, name: string, strategy: { runStrategy?: string; running?: boolean }): string {
  createVm(twin, name, strategy);
  if (strategy.runStrategy === "Manual") startRequest(twin, name);
  advance(twin, 30);
  expect(phaseOf(vmiOf(twin, name))).toBe("Running");
  return vmiOf(twin, name)?.metadata.uid ?? "";
}

/** What virtctl start does: a Start request on the VM's status. */
function startRequest(twin: Twin, name: string): void {
  twin.runtime.store.mutate(
    twin.runtime.resources.virtualMachines,
    { namespace: NAMESPACE, name },
    (vm) => {
      vm.status = { ...vm.status, stateChangeRequests: [{ action: "Start" }] };
    },
    { actor: "api", subresource: "status" },
  );
}

describe("a new VM, by run strategy", () => {
  it.each([
    { strategy: { runStrategy: "Always" }, starts: true, printableStatus: "Running" },
    { strategy: { runStrategy: "RerunOnFailure" }, starts: true, printableStatus: "Running" },
    { strategy: { runStrategy: "Once" }, starts: true, printableStatus: "Running" },
    { strategy: { runStrategy: "Manual" }, starts: false, printableStatus: "Stopped" },
    { strategy: { runStrategy: "Halted" }, starts: false, printableStatus: "Stopped" },
    { strategy: { running: true }, starts: true, printableStatus: "Running" },
    { strategy: { running: false }, starts: false, printableStatus: "Stopped" },
  ])("$strategy starts: $starts", ({ strategy, starts, printableStatus }) => {
    const twin = kubevirtTwin();
    createVm(twin, "vm1", strategy);
    advance(twin, 30);
    expect(vmiOf(twin, "vm1") !== undefined).toBe(starts);
    expect(vmOf(twin, "vm1")?.status).toMatchObject({ printableStatus, created: starts, ready: starts });
  });

  it("creates the VMI from the template: name, owner, labels, annotations and spec", () => {
    const twin = kubevirtTwin();
    createVm(twin, "vm1", { labels: { tier: "web" }, annotations: { "twin.kubedrs.io/workload": "steady" } });
    advance(twin, 1);
    const vm = vmOf(twin, "vm1");
    const vmi = vmiOf(twin, "vm1");
    expect(vmi?.metadata).toMatchObject({
      labels: { app: "vm1", tier: "web" },
      annotations: { "twin.kubedrs.io/workload": "steady", "kubevirt.io/vm-generation": "1" },
      ownerReferences: [{ kind: "VirtualMachine", name: "vm1", uid: vm?.metadata.uid, controller: true }],
    });
    expect(vmi?.spec).toMatchObject({ domain: { memory: { guest: "4Gi" } } });
    expect(vm?.metadata.finalizers).toEqual(["kubevirt.io/virtualMachineControllerFinalize"]);
  });

  it("starts nothing for a VM that sets both spec.running and spec.runStrategy", () => {
    const twin = kubevirtTwin();
    createVm(twin, "vm1", { apply: (vm) => Object.assign(vm.spec ?? {}, { running: true }) });
    advance(twin, 30);
    expect(vmOf(twin, "vm1")?.spec).toMatchObject({ running: true, runStrategy: "Always" });
    expect(vmiOf(twin, "vm1")).toBeUndefined();
  });

  it("starts a Manual VM on a start request and clears the request once the VMI runs", () => {
    const twin = kubevirtTwin();
    createVm(twin, "vm1", { runStrategy: "Manual" });
    advance(twin, 5);
    startRequest(twin, "vm1");
    advance(twin, 30);
    expect(phaseOf(vmiOf(twin, "vm1"))).toBe("Running");
    expect(vmOf(twin, "vm1")?.status).not.toHaveProperty("stateChangeRequests");
  });

  it("shows Starting until the guest runs", () => {
    const twin = kubevirtTwin();
    createVm(twin, "vm1");
    advance(twin, 1);
    expect(printable(twin, "vm1")).toBe("Starting");
    advance(twin, 30);
    expect(printable(twin, "vm1")).toBe("Running");
  });

  it("shows ErrorUnschedulable while no node fits the launcher pod", () => {
    const twin = kubevirtTwin();
    createVm(twin, "vm1", {
      apply: (vm) => Object.assign(templateSpec(vm), { nodeSelector: { gpu: "h100" } }),
    });
    advance(twin, 30);
    expect(phaseOf(vmiOf(twin, "vm1"))).toBe("Scheduling");
    expect(printable(twin, "vm1")).toBe("ErrorUnschedulable");
    expect(vmiOf(twin, "vm1")?.status?.conditions).toContainEqual(
      expect.objectContaining({ type: "PodScheduled", status: "False", reason: "Unschedulable" }),
    );
  });
});

describe("a VM whose launcher pod was force-deleted (its VMI fails at once)", () => {
  it.each([
    { runStrategy: "Always", restarts: true },
    { runStrategy: "RerunOnFailure", restarts: true },
    { runStrategy: "Manual", restarts: false },
    { runStrategy: "Once", restarts: false },
  ])("$runStrategy restarts: $restarts", ({ runStrategy, restarts }) => {
    const twin = kubevirtTwin();
    const first = runningVm(twin, "vm1", { runStrategy });
    deletePod(twin, launcherPods(twin, "vm1")[0]!, 0);
    advance(twin, 60);
    expect(twin.runtime.log.lines()).toContainEqual(expect.stringMatching(/VirtualMachineInstance vms\/vm1 Failed/));
    const vmi = vmiOf(twin, "vm1");
    if (restarts) {
      expect(vmi?.metadata.uid).not.toBe(first);
      expect(phaseOf(vmi)).toBe("Running");
      expect(printable(twin, "vm1")).toBe("Running");
    } else {
      // The final VMI stays: only Always and RerunOnFailure delete it to start a new one.
      expect(vmi?.metadata.uid).toBe(first);
      expect(phaseOf(vmi)).toBe("Failed");
      expect(printable(twin, "vm1")).toBe("Stopped");
    }
    expect(twin.runtime.truth.hostsOf(`${NAMESPACE}/vm1`).length).toBe(restarts ? 1 : 0);
  });
});

describe("a VM whose launcher pod was deleted gracefully on a live node", () => {
  it.each([
    { runStrategy: "Always", restarts: true },
    // kubevirt/kubevirt#9823: the guest shuts down cleanly, the VMI Succeeded, so RerunOnFailure stays stopped.
    { runStrategy: "RerunOnFailure", restarts: false },
  ])("$runStrategy restarts: $restarts", ({ runStrategy, restarts }) => {
    const twin = kubevirtTwin();
    const first = runningVm(twin, "vm1", { runStrategy });
    deletePod(twin, launcherPods(twin, "vm1")[0]!);
    advance(twin, 1);
    expect(twin.runtime.truth.hostsOf(`${NAMESPACE}/vm1`)).toEqual([]);
    advance(twin, 90);
    const vmi = vmiOf(twin, "vm1");
    if (restarts) {
      expect(vmi?.metadata.uid).not.toBe(first);
      expect(phaseOf(vmi)).toBe("Running");
    } else {
      expect(vmi).toBeUndefined();
      expect(printable(twin, "vm1")).toBe("Stopped");
    }
  });
});

describe("stopping and deleting", () => {
  it("halting a running VM deletes its VMI and pod", () => {
    const twin = kubevirtTwin();
    runningVm(twin, "vm1", { runStrategy: "Always" });
    twin.runtime.store.mutate(twin.runtime.resources.virtualMachines, { namespace: NAMESPACE, name: "vm1" }, (vm) => {
      (vm.spec as Record<string, unknown>).runStrategy = "Halted";
    });
    advance(twin, 90);
    expect(vmiOf(twin, "vm1")).toBeUndefined();
    expect(launcherPods(twin, "vm1")).toEqual([]);
    expect(printable(twin, "vm1")).toBe("Stopped");
    expect(twin.runtime.truth.hostsOf(`${NAMESPACE}/vm1`)).toEqual([]);
  });

  it("deleting a VM stops its VMI first, then the VM goes", () => {
    const twin = kubevirtTwin();
    runningVm(twin, "vm1", { runStrategy: "Always" });
    twin.runtime.store.delete(twin.runtime.resources.virtualMachines, NAMESPACE, "vm1", { actor: "api" });
    advance(twin, 0.5);
    expect(printable(twin, "vm1")).toBe("Terminating");
    advance(twin, 90);
    expect(vmOf(twin, "vm1")).toBeUndefined();
    expect(vmiOf(twin, "vm1")).toBeUndefined();
    expect(launcherPods(twin, "vm1")).toEqual([]);
  });
});
