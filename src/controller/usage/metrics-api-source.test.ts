import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import type { Twin } from "../../twin/twin.ts";
import { addLauncherPod, addVmi, GiB, servedGuestTwin } from "../../../test/twin/support/workload-fixture.ts";
import {
  type LauncherPodRef,
  MetricsApiError,
  MetricsApiSource,
  VM_NAME_LABEL,
  vmiByUidLabel,
} from "./metrics-api-source.ts";

const running: Twin[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((twin) => twin.stop()));
  await Promise.all(
    servers.splice(0).map((server) => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      return closed;
    }),
  );
});

function kubeconfigOf(twin: Twin): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(twin.kubeconfig());
  return config;
}

function kubeconfigFor(server: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "stub", server, skipTLSVerify: true }],
    users: [{ name: "stub" }],
    contexts: [{ name: "stub", cluster: "stub", user: "stub" }],
    currentContext: "stub",
  });
  return config;
}

/** A stub API server answering the metrics lists with fixed bodies; records the paths asked for. */
async function stubApi(
  answers: { nodes?: unknown; pods?: unknown; status?: number },
  seen: string[] = [],
): Promise<string> {
  const server = createServer((request, response) => {
    seen.push(request.url ?? "");
    const body = request.url?.includes("/pods") ? answers.pods : answers.nodes;
    response.writeHead(answers.status ?? 200, { "content-type": "application/json" });
    response.end(JSON.stringify(body ?? { kind: "List", items: [] }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function nodeMetrics(name: string | undefined, usage: Record<string, unknown>): unknown {
  return { kind: "NodeMetrics", metadata: name === undefined ? {} : { name }, usage };
}

function podMetrics(
  name: string,
  labels: Record<string, string>,
  containers: { name: string; usage: Record<string, unknown> }[],
): unknown {
  return { kind: "PodMetrics", metadata: { name, namespace: "tenant", labels }, containers };
}

const LAUNCHER = { "kubevirt.io": "virt-launcher", [VM_NAME_LABEL]: "db" };

describe("MetricsApiSource against the twin", () => {
  it("reads node and launcher-pod metrics into samples", async () => {
    const { twin } = await servedGuestTwin(running);
    twin.advance(30_000);
    const now = twin.runtime.clock.now();
    const sample = await new MetricsApiSource(kubeconfigOf(twin)).sample(now);
    expect(sample).toEqual({
      at: now,
      // 2 cores for the guest and 2 % of 16 for the system; 4 GiB resident and the system's 2 GiB.
      nodes: new Map([
        ["node-a", { cpuMillicores: 2320, memoryBytes: 6 * GiB }],
        ["node-b", { cpuMillicores: 320, memoryBytes: 2 * GiB }],
      ]),
      vms: new Map([["tenant/db", { cpuMillicores: 2000, memoryBytes: 4 * GiB }]]),
      warnings: [],
    });
  });

  it("has nothing before the first sample", async () => {
    const { twin } = await servedGuestTwin(running);
    const sample = await new MetricsApiSource(kubeconfigOf(twin)).sample(twin.runtime.clock.now());
    expect([sample.nodes.size, sample.vms.size]).toEqual([0, 0]);
  });

  it("counts a migrating VM once: the target launcher receiving it does not add up", async () => {
    const { twin, vm } = await servedGuestTwin(running);
    addLauncherPod(twin, vm, "node-b", undefined, "target");
    twin.advance(30_000);
    const sample = await new MetricsApiSource(kubeconfigOf(twin)).sample(twin.runtime.clock.now());
    expect(sample.vms.get(vm)).toEqual({ cpuMillicores: 2000, memoryBytes: 4 * GiB });
  });

  it("skips a launcher it cannot map to a VMI, with a warning naming the pod", async () => {
    const { twin } = await servedGuestTwin(running);
    addVmi(twin, "web", { namespace: "tenant", node: "node-b", workload: { cpu: 0.25 } });
    twin.runtime.store.mutate(
      twin.runtime.resources.pods,
      { namespace: "tenant", name: "virt-launcher-web-abcde" },
      (pod) => {
        pod.metadata.labels = { "kubevirt.io": "virt-launcher" };
      },
    );
    twin.advance(30_000);
    const sample = await new MetricsApiSource(kubeconfigOf(twin)).sample(twin.runtime.clock.now());
    expect([...sample.vms.keys()]).toEqual(["tenant/db"]);
    expect(sample.warnings).toEqual([
      `PodMetrics tenant/virt-launcher-web-abcde: skipped: cannot tell which VMI it runs (it has no ${VM_NAME_LABEL} label)`,
    ]);
  });

  it("maps launchers with the resolver it is given", async () => {
    const { twin } = await servedGuestTwin(running);
    twin.advance(30_000);
    const source = new MetricsApiSource(kubeconfigOf(twin), {
      vmiOf: (pod) => `${pod.namespace}/by-${pod.name}`,
    });
    const sample = await source.sample(twin.runtime.clock.now());
    expect([...sample.vms.keys()]).toEqual(["tenant/by-virt-launcher-db-abcde"]);
  });
});

describe("MetricsApiSource on odd answers", () => {
  it("asks for nodes, and for pods by the virt-launcher label", async () => {
    const seen: string[] = [];
    await new MetricsApiSource(kubeconfigFor(await stubApi({}, seen))).sample(0);
    expect(seen.sort()).toEqual([
      "/apis/metrics.k8s.io/v1beta1/nodes",
      "/apis/metrics.k8s.io/v1beta1/pods?labelSelector=kubevirt.io%3Dvirt-launcher",
    ]);
  });

  it.each([
    {
      name: "a node with a bad quantity",
      nodes: [nodeMetrics("node-a", { cpu: "lots", memory: "1Gi" })],
      warning: 'NodeMetrics node-a: skipped: usage.cpu "lots" is not a quantity',
    },
    {
      name: "a node without memory",
      nodes: [nodeMetrics("node-a", { cpu: "1" })],
      warning: "NodeMetrics node-a: skipped: usage.memory undefined is not a quantity",
    },
    {
      name: "a node without a name",
      nodes: [nodeMetrics(undefined, { cpu: "1", memory: "1Gi" })],
      warning: "NodeMetrics items[1]: skipped: it has no metadata.name",
    },
    {
      name: "a pod with a bad container quantity",
      pods: [podMetrics("virt-launcher-db-x", LAUNCHER, [{ name: "compute", usage: { cpu: "1", memory: "x" } }])],
      warning: 'PodMetrics tenant/virt-launcher-db-x: skipped: containers[0].usage.memory "x" is not a quantity',
    },
    {
      name: "a pod without containers",
      pods: [{ kind: "PodMetrics", metadata: { name: "virt-launcher-db-x", namespace: "tenant", labels: LAUNCHER } }],
      warning: "PodMetrics tenant/virt-launcher-db-x: skipped: it has no containers list",
    },
  ])("skips $name with a warning and keeps the rest", async ({ nodes = [], pods = [], warning }) => {
    const good = nodeMetrics("node-ok", { cpu: "250m", memory: "1Gi" });
    const url = await stubApi({ nodes: { items: [good, ...nodes] }, pods: { items: pods } });
    const sample = await new MetricsApiSource(kubeconfigFor(url)).sample(0);
    expect(sample.nodes.get("node-ok")).toEqual({ cpuMillicores: 250, memoryBytes: GiB });
    expect(sample.warnings).toEqual([warning]);
  });

  it("adds up a launcher's containers and ignores pods that are no launchers", async () => {
    const pods = [
      podMetrics("virt-launcher-db-x", LAUNCHER, [
        { name: "compute", usage: { cpu: "1500m", memory: "3Gi" } },
        { name: "guest-console-log", usage: { cpu: "1m", memory: "10Mi" } },
      ]),
      podMetrics("nginx", { app: "nginx" }, [{ name: "nginx", usage: { cpu: "9", memory: "9Gi" } }]),
    ];
    const url = await stubApi({ pods: { items: pods } });
    const sample = await new MetricsApiSource(kubeconfigFor(url)).sample(0);
    expect(sample.vms).toEqual(new Map([["tenant/db", { cpuMillicores: 1501, memoryBytes: 3 * GiB + 10 * 2 ** 20 }]]));
    expect(sample.warnings).toEqual([]);
  });

  it.each([
    {
      name: "a refusal",
      answers: { status: 403, nodes: { kind: "Status", code: 403, message: "nodes.metrics.k8s.io is forbidden" } },
      message:
        /metrics\.k8s\.io request GET http:\/\/127\.0\.0\.1:\d+\/apis\/metrics\.k8s\.io\/v1beta1\/nodes failed: HTTP 403: nodes\.metrics\.k8s\.io is forbidden/,
    },
    {
      name: "an answer that is no list",
      answers: { pods: { kind: "Status" } },
      message:
        /GET http:.*\/apis\/metrics\.k8s\.io\/v1beta1\/pods\?labelSelector=kubevirt\.io%3Dvirt-launcher failed: the answer is not a list/,
    },
  ])("fails naming the URL on $name", async ({ answers, message }) => {
    const source = new MetricsApiSource(kubeconfigFor(await stubApi(answers)));
    await expect(source.sample(0)).rejects.toThrow(message);
    await expect(source.sample(0)).rejects.toBeInstanceOf(MetricsApiError);
  });

  it("fails naming the URL when the API server cannot be reached", async () => {
    const url = await stubApi({});
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const source = new MetricsApiSource(kubeconfigFor(url));
    await expect(source.sample(0)).rejects.toThrow(`metrics.k8s.io request GET ${url}/apis/metrics.k8s.io/v1beta1/`);
  });
});

describe("vmiByUidLabel", () => {
  const byUid = new Map([["uid-1", "shop/web-1"]]);
  const pod = (labels: Record<string, string>): LauncherPodRef => ({
    namespace: "shop",
    name: "virt-launcher-x",
    labels,
  });

  it.each([
    [
      "the VMI whose UID the pod was created by",
      { "kubevirt.io/created-by": "uid-1", "vm.kubevirt.io/name": "www" },
      "shop/web-1",
    ],
    [
      "the hostname label when the UID is not known",
      { "kubevirt.io/created-by": "uid-9", "vm.kubevirt.io/name": "web-2" },
      "shop/web-2",
    ],
    ["the hostname label when the pod has no UID label", { "vm.kubevirt.io/name": "web-3" }, "shop/web-3"],
    ["nothing when neither label is there", {}, undefined],
  ])("%s", (_name, labels, expected) => {
    expect(vmiByUidLabel(pod(labels), byUid)).toBe(expected);
  });
});
