import { describe, expect, it } from "vitest";
import type { Status } from "../../../src/twin/api/status.ts";
import { KubeVirtContext } from "../../../src/twin/kubevirt/context.ts";
import { admitLauncherEviction } from "../../../src/twin/kubevirt/eviction.ts";
import type { Twin } from "../../../src/twin/twin.ts";
import {
  MiB,
  NAMESPACE,
  advance,
  at,
  conditionOf,
  createVm,
  eventsFor,
  kubevirtTwin,
  launcherPods,
  migrationsOf,
  phaseOf,
  podNamed,
  vmiOf,
} from "../support/kubevirt-fixture.ts";
import { refusalOf } from "../support/api-refusal.ts";

const WEBHOOK = 'admission webhook "virt-launcher-eviction-interceptor.kubevirt.io" denied the request: ';

/** Evicts a pod through the twin's eviction path (KubeVirt's webhook, then the default eviction). */
function evict(twin: Twin, pod: string): Status | undefined {
  return refusalOf(() => twin.runtime.evictPod(NAMESPACE, pod));
}

/** KubeVirt's webhook alone, with an Eviction body (as the API server passes it). */
function intercept(twin: Twin, pod: string, body: unknown): Status | undefined {
  return refusalOf(() => admitLauncherEviction(new KubeVirtContext(twin.runtime), NAMESPACE, pod, body));
}

function runningVm(twin: Twin, options: { evictionStrategy?: string; masquerade?: boolean } = {}): string {
  createVm(twin, "web", options);
  advance(twin, 30);
  return launcherPods(twin, "web")[0]?.metadata.name ?? "";
}

describe("evicting a virt-launcher pod", () => {
  it.each([
    { strategy: "None", migratable: true, refused: undefined, evacuates: false },
    {
      strategy: "LiveMigrate",
      migratable: true,
      refused: 'Eviction triggered evacuation of VMI "vms/web"',
      evacuates: true,
    },
    {
      strategy: "LiveMigrate",
      migratable: false,
      refused: "VMI web is configured with an eviction strategy but is not live-migratable",
      evacuates: false,
    },
    {
      strategy: "LiveMigrateIfPossible",
      migratable: true,
      refused: 'Eviction triggered evacuation of VMI "vms/web"',
      evacuates: true,
    },
    { strategy: "LiveMigrateIfPossible", migratable: false, refused: undefined, evacuates: false },
    {
      strategy: "External",
      migratable: false,
      refused: 'Eviction triggered evacuation of VMI "vms/web"',
      evacuates: true,
    },
  ])("with $strategy, migratable $migratable: refused $refused", ({ strategy, migratable, refused, evacuates }) => {
    const twin = kubevirtTwin();
    const pod = runningVm(twin, { evictionStrategy: strategy, masquerade: migratable });
    const status = evict(twin, pod);
    if (refused === undefined) {
      expect(status).toBeUndefined();
      expect(podNamed(twin, pod)?.metadata.deletionTimestamp).toBeDefined();
    } else {
      expect(status).toMatchObject({ code: 429, reason: "TooManyRequests", message: WEBHOOK + refused });
      expect(podNamed(twin, pod)?.metadata.deletionTimestamp).toBeUndefined();
    }
    expect(vmiOf(twin, "web")?.status?.evacuationNodeName).toBe(
      evacuates ? podNamed(twin, pod)?.spec?.nodeName : undefined,
    );
  });

  it("takes the cluster's strategy from the KubeVirt CR for VMIs created after it is set", () => {
    const twin = kubevirtTwin({ configuration: { evictionStrategy: "LiveMigrate" } });
    const pod = runningVm(twin);
    expect(vmiOf(twin, "web")?.spec?.evictionStrategy).toBe("LiveMigrate");
    expect(evict(twin, pod)).toMatchObject({ code: 429 });
  });

  it("refuses a second eviction while the VMI evacuates, and lets other pods through", () => {
    const twin = kubevirtTwin();
    const pod = runningVm(twin, { evictionStrategy: "External" });
    evict(twin, pod);
    expect(evict(twin, pod)?.message).toBe(
      `${WEBHOOK}Evacuation in progress: Eviction triggered evacuation of VMI "vms/web"`,
    );
    twin.runtime.store.create(twin.runtime.resources.pods, {
      metadata: { name: "plain", namespace: NAMESPACE },
      spec: { containers: [{ name: "app", image: "nginx" }] },
    });
    expect(() => twin.runtime.evictPod(NAMESPACE, "plain")).not.toThrow();
  });
});

describe("an Eviction's options", () => {
  it("marks nothing on a dry run but answers as it would", () => {
    const twin = kubevirtTwin();
    const pod = runningVm(twin, { evictionStrategy: "LiveMigrate" });
    const status = intercept(twin, pod, { deleteOptions: { dryRun: ["All"] } });
    expect(status).toMatchObject({ code: 429, message: `${WEBHOOK}Eviction triggered evacuation of VMI "vms/web"` });
    expect(vmiOf(twin, "web")?.status).not.toHaveProperty("evacuationNodeName");
  });

  it("lowers the evacuation's priority when the descheduler asked", () => {
    const twin = kubevirtTwin();
    const pod = runningVm(twin, { evictionStrategy: "LiveMigrate" });
    intercept(twin, pod, { metadata: { annotations: { "requested-by": "sigs.k8s.io/descheduler" } } });
    expect(vmiOf(twin, "web")?.metadata.annotations).toMatchObject({ "kubevirt.io/eviction-source": "descheduler" });
    advance(twin, 0.5);
    expect(migrationsOf(twin, "web")[0]?.spec).toEqual({ vmiName: "web", priority: "system-maintenance" });
    advance(twin, 60);
    expect(vmiOf(twin, "web")?.metadata.annotations).not.toHaveProperty("kubevirt.io/eviction-source");
  });
});

describe("evacuation", () => {
  it("migrates a VMI marked for evacuation off its node and clears the mark", () => {
    const twin = kubevirtTwin();
    const pod = runningVm(twin, { evictionStrategy: "LiveMigrate" });
    const source = podNamed(twin, pod)?.spec?.nodeName;
    expect(source).toEqual(expect.any(String));
    evict(twin, pod);
    advance(twin, 0.5);
    expect(conditionOf(vmiOf(twin, "web"), "EvictionRequested")).toMatchObject({ status: "True" });
    expect(podNamed(twin, pod)?.metadata.annotations).toMatchObject({
      "descheduler.alpha.kubernetes.io/eviction-in-progress": "true",
    });
    const [migration] = migrationsOf(twin, "web");
    expect(migration?.metadata).toMatchObject({
      generateName: "kubevirt-evacuation-",
      annotations: { "kubevirt.io/evacuationMigration": source },
    });
    expect(migration?.spec).toEqual({ vmiName: "web", priority: "system-critical" });
    expect(eventsFor(twin, "web")).toContainEqual(
      expect.objectContaining({ reason: "SuccessfulCreate", message: `Created Migration ${migration?.metadata.name}` }),
    );
    advance(twin, 60);
    const vmi = vmiOf(twin, "web");
    const target = at(migrationsOf(twin, "web")[0], "status", "migrationState", "targetNode");
    expect(target).toEqual(expect.any(String));
    expect(target).not.toBe(source);
    expect(vmi?.status?.nodeName).toBe(target);
    expect(vmi?.status?.nodeName).not.toBe(source);
    expect(vmi?.status).not.toHaveProperty("evacuationNodeName");
    expect(conditionOf(vmi, "EvictionRequested")).toBeUndefined();
    expect(phaseOf(migrationsOf(twin, "web")[0])).toBe("Succeeded");
    // The drain's next attempt finds the source pod finished: it is evicted like any other.
    expect(evict(twin, pod)).toBeUndefined();
  });

  it("retries a failed evacuation after 20 s, then 40 s", () => {
    const link = { bandwidth: 4 * MiB };
    const twin = kubevirtTwin({
      nodes: { "node-a": link, "node-b": link, "node-c": link },
      configuration: { migrations: { completionTimeoutPerGiB: 5 } },
    });
    createVm(twin, "web", {
      evictionStrategy: "LiveMigrate",
      memory: "1Gi",
      annotations: { "twin.kubedrs.io/workload": JSON.stringify({ dirtyRate: "64Mi" }) },
    });
    advance(twin, 30);
    evict(twin, launcherPods(twin, "web")[0]?.metadata.name ?? "");
    advance(twin, 200);
    const attempts = migrationsOf(twin, "web").sort((a, b) =>
      String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)),
    );
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    const at = (index: number, phase: string): number =>
      Date.parse(
        (
          attempts[index]?.status?.phaseTransitionTimestamps as { phase: string; phaseTransitionTimestamp: string }[]
        ).find((entry) => entry.phase === phase)?.phaseTransitionTimestamp ?? "",
      );
    expect((at(1, "Scheduling") - at(0, "Failed")) / 1000).toBeCloseTo(20, -1);
    expect((at(2, "Scheduling") - at(1, "Failed")) / 1000).toBeCloseTo(40, -1);
    expect(eventsFor(twin, "web")).toContainEqual(
      expect.objectContaining({ type: "Warning", reason: "MigrationBackoff" }),
    );
  });
});
