import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import type { Twin } from "../../../src/twin/twin.ts";
import { Kubectl } from "../../e2e/kubectl.ts";
import { START, addLauncherPod, ensureNamespace, getJson, servedGuestTwin } from "../support/workload-fixture.ts";

const NODES = "/apis/metrics.k8s.io/v1beta1/nodes";
const PODS = "/apis/metrics.k8s.io/v1beta1/pods";

const running: Twin[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((twin) => twin.stop()));
});

const serve = (): ReturnType<typeof servedGuestTwin> => servedGuestTwin(running);

function kubectlAvailable(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("NodeMetrics", () => {
  it("lists every host that reports, as metrics-server does", async () => {
    const { twin, url } = await serve();
    twin.advance(30_000);
    const { status, body } = await getJson(url, NODES);
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: "NodeMetricsList", apiVersion: "metrics.k8s.io/v1beta1" });
    expect(body.items).toEqual([
      {
        apiVersion: "metrics.k8s.io/v1beta1",
        kind: "NodeMetrics",
        metadata: { name: "node-a", creationTimestamp: twin.runtime.clock.nowIso(), labels: expect.any(Object) },
        timestamp: new Date(START + 30_000).toISOString().replace(".000Z", "Z"),
        window: "30s",
        // 2 cores for the guest and 2 % of 16 for the system; 4 GiB and the system's 2 GiB.
        usage: { cpu: "2320m", memory: `${6 * 1024 * 1024}Ki` },
      },
      expect.objectContaining({
        metadata: expect.objectContaining({ name: "node-b" }),
        usage: { cpu: "320m", memory: `${2 * 1024 * 1024}Ki` },
      }),
    ]);
  });

  it("gets one node's metrics by name", async () => {
    const { twin, url } = await serve();
    twin.advance(15_000);
    const { status, body } = await getJson(url, `${NODES}/node-b`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: "NodeMetrics", metadata: { name: "node-b" }, usage: { cpu: "320m" } });
  });

  it("has nothing before the first sample", async () => {
    const { url } = await serve();
    expect((await getJson(url, NODES)).body.items).toEqual([]);
  });

  it.each([
    { name: "loses power", change: { powered: false } },
    { name: "is cut from the network", change: { networked: false } },
  ])("drops a host that $name", async ({ change }) => {
    const { twin, url } = await serve();
    twin.advance(15_000);
    twin.runtime.truth.setHost("node-a", change);
    twin.advance(15_000);
    const names = (await getJson(url, NODES)).body.items.map((item) => item.metadata.name);
    expect(names).toEqual(["node-b"]);
    expect((await getJson(url, `${NODES}/node-a`)).status).toBe(404);
  });

  it("shows a CPU spike within a sample, averaged over the 30 s window", async () => {
    const { twin, url, vm } = await serve();
    twin.advance(30_000);
    const [namespace, name] = vm.split("/") as [string, string];
    twin.runtime.store.mutate(twin.runtime.resources.virtualMachineInstances, { namespace, name }, (vmi) => {
      vmi.metadata.annotations = { ...vmi.metadata.annotations, "twin.kubedrs.io/load-factor": "2" };
    });
    twin.advance(15_000);
    // Half the window at 2 cores, half at 4: 3 cores, plus the system's 0.32.
    expect((await getJson(url, `${NODES}/node-a`)).body.usage.cpu).toBe("3320m");
    twin.advance(15_000);
    expect((await getJson(url, `${NODES}/node-a`)).body.usage.cpu).toBe("4320m");
  });
});

describe("PodMetrics", () => {
  it("reports a virt-launcher pod's guest as its compute container", async () => {
    const { twin, url } = await serve();
    twin.advance(30_000);
    const { body } = await getJson(url, "/apis/metrics.k8s.io/v1beta1/namespaces/tenant/pods");
    expect(body.kind).toBe("PodMetricsList");
    expect(body.items).toEqual([
      {
        apiVersion: "metrics.k8s.io/v1beta1",
        kind: "PodMetrics",
        metadata: {
          name: "virt-launcher-db-abcde",
          namespace: "tenant",
          creationTimestamp: twin.runtime.clock.nowIso(),
          labels: expect.objectContaining({ "kubevirt.io": "virt-launcher" }),
        },
        timestamp: new Date(START + 30_000).toISOString().replace(".000Z", "Z"),
        window: "30s",
        containers: [{ name: "compute", usage: { cpu: "2000m", memory: `${4 * 1024 * 1024}Ki` } }],
      },
    ]);
  });

  it("lists across namespaces, and leaves out pods that are not running launchers", async () => {
    const { twin, url, vm } = await serve();
    ensureNamespace(twin, "other");
    twin.runtime.store.create(twin.runtime.resources.pods, {
      metadata: { name: "nginx", namespace: "other" },
      spec: { nodeName: "node-b", containers: [{ name: "nginx" }] },
      status: { phase: "Running" },
    });
    addLauncherPod(
      twin,
      vm,
      "node-a",
      (pod) => {
        pod.status = { phase: "Succeeded" };
      },
      "finished",
    );
    twin.advance(15_000);
    const names = (await getJson(url, PODS)).body.items.map((item) => item.metadata.name);
    expect(names).toEqual(["virt-launcher-db-abcde"]);
  });

  it("reports zero for a migration target whose guest has not arrived", async () => {
    const { twin, url, vm } = await serve();
    addLauncherPod(twin, vm, "node-b", undefined, "target");
    twin.advance(15_000);
    const { body } = await getJson(url, "/apis/metrics.k8s.io/v1beta1/namespaces/tenant/pods/virt-launcher-db-target");
    expect(body.containers).toEqual([{ name: "compute", usage: { cpu: "0m", memory: "0Ki" } }]);
  });
});

describe.skipIf(!kubectlAvailable())("kubectl top", () => {
  it("shows nodes and pods", async () => {
    const { twin } = await serve();
    twin.advance(30_000);
    // kubectl in a scratch HOME that close() removes; it runs asynchronously, as the twin serves it from this process.
    const kubectl = await Kubectl.forTwin(twin);
    try {
      const nodes = await kubectl.ok("top", "node", "--no-headers");
      expect(nodes).toMatch(/^node-a\s+2320m\s+\d+%\s+6144Mi\s+\d+%/m);
      expect(nodes).toMatch(/^node-b\s+320m/m);
      expect(await kubectl.ok("top", "pod", "-A", "--no-headers")).toMatch(
        /^tenant\s+virt-launcher-db-abcde\s+2000m\s+4096Mi/m,
      );
    } finally {
      await kubectl.close();
    }
  });
});
