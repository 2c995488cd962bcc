import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { ApiClient } from "../../src/adapters/kube/client/api-client.ts";
import { Reflector } from "../../src/adapters/kube/client/reflector.ts";
import { Twin } from "../../src/twin/twin.ts";
import { buildNode, START } from "../twin/support/kube-fixture.ts";

let twin: Twin | undefined;
let reflector: Reflector | undefined;

afterEach(async () => {
  reflector?.stop();
  await twin?.stop();
});

async function startTwin(nodes: number): Promise<{ twin: Twin; api: ApiClient }> {
  twin = Twin.create({ seed: 1, start: START });
  for (let i = 0; i < nodes; i++)
    twin.runtime.store.create(twin.runtime.resources.nodes, buildNode(`node-${i}`), { actor: "test" });
  await twin.listen();
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromString(twin.kubeconfig());
  return { twin, api: new ApiClient(kubeconfig) };
}

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("Reflector", () => {
  it("lists in pages, then follows creates and deletes through the watch", async () => {
    const { twin, api } = await startTwin(7);
    reflector = new Reflector({ api, path: "/api/v1/nodes", pageSize: 3 });
    await reflector.start();
    expect(reflector.size()).toBe(7);
    const { store, resources } = twin.runtime;
    store.create(resources.nodes, buildNode("node-new"), { actor: "test" });
    store.delete(resources.nodes, undefined, "node-0", { actor: "test" });
    await eventually(() => reflector?.get("node-new") !== undefined && reflector.get("node-0") === undefined);
    expect(reflector.size()).toBe(7);
  });

  it("trims objects as they arrive", async () => {
    const { api } = await startTwin(1);
    reflector = new Reflector({
      api,
      path: "/api/v1/nodes",
      trim: (object) => ({ metadata: object.metadata }),
    });
    await reflector.start();
    expect(Object.keys(reflector.list()[0] ?? {})).toEqual(["metadata"]);
  });

  it("resumes after a dropped connection without losing a change", async () => {
    const { twin, api } = await startTwin(2);
    reflector = new Reflector({ api, path: "/api/v1/nodes" });
    await reflector.start();
    twin.server.dropConnections();
    twin.runtime.store.create(twin.runtime.resources.nodes, buildNode("during-outage"), { actor: "test" });
    await eventually(() => reflector?.get("during-outage") !== undefined);
  });

  it("relists when the watch history it would resume from is gone (410)", async () => {
    const { twin, api } = await startTwin(2);
    reflector = new Reflector({ api, path: "/api/v1/nodes" });
    await reflector.start();
    const { store, resources } = twin.runtime;
    twin.server.dropConnections();
    store.delete(resources.nodes, undefined, "node-1", { actor: "test" });
    store.create(resources.nodes, buildNode("after-compaction"), { actor: "test" });
    store.compact();
    await eventually(() => reflector?.get("after-compaction") !== undefined && reflector.get("node-1") === undefined);
    expect(
      reflector
        .list()
        .map((node) => (node.metadata as { name: string }).name)
        .sort(),
    ).toEqual(["after-compaction", "node-0"]);
  });

  it("treats an API that is not installed as empty when it is optional", async () => {
    const { api } = await startTwin(0);
    reflector = new Reflector({ api, path: "/apis/example.com/v1/widgets", optional: true });
    await reflector.start();
    expect(reflector.synced).toBe(true);
    expect(reflector.size()).toBe(0);
  });
});
