/**
 * The CRD source against a twin serving the five policy kinds: the first load, creates, updates
 * and deletes through client-node, a bad object (the keeper keeps the last good set), a 410 Gone
 * and a dropped connection (both relist), an API server not up yet, and kubectl applying the
 * example policies, which must decode to the same set as the directory they came from.
 */
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { Kubectl, parseTable } from "../../../test/e2e/kubectl.ts";
import { loadPolicyDirectory } from "../../adapters/files/policy-directory.ts";
import type { PolicySet } from "../../core/policy/policy-set.ts";
import { twinKubeconfig } from "../../twin/kubeconfig.ts";
import { Twin } from "../../twin/twin.ts";
import { PolicyCrdSource, type PolicyCrdSourceOptions, type WatchNotice } from "./crd-source.ts";
import { PolicyKeeper, type PolicyVerdict } from "./policy-keeper.ts";
import type { PolicyLoad } from "./policy-load.ts";

const START = Date.UTC(2026, 0, 1);
const GROUP = { group: "kubedrs.io", version: "v1alpha1" };
const EXAMPLES = fileURLToPath(new URL("../../../policies", import.meta.url));

function balancePolicy(name: string, spec: Record<string, unknown> = { aggressiveness: 3 }): Record<string, unknown> {
  return { apiVersion: "kubedrs.io/v1alpha1", kind: "BalancePolicy", metadata: { name }, spec };
}

function placementRule(name: string): Record<string, unknown> {
  return {
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "PlacementRule",
    metadata: { name },
    spec: {
      type: "VmAntiAffinity",
      enforcement: "Required",
      vms: { selector: { matchLabels: { app: name } } },
      topologyKey: "kubernetes.io/hostname",
    },
  };
}

/** "Kind/name" of every policy in a set, with the balance policies' aggressiveness. */
function summary(set: PolicySet | undefined): string[] {
  if (!set) return [];
  return [
    ...set.balance.map((policy) => `BalancePolicy/${policy.metadata.name}=${policy.spec.aggressiveness}`),
    ...[...set.placementRules, ...set.migrationProfiles, ...set.maintenance, ...set.failover].map(
      (policy) => `${policy.kind}/${policy.metadata.name}`,
    ),
  ];
}

function withoutSources(set: PolicySet): unknown {
  return JSON.parse(JSON.stringify(set, (key, value: unknown) => (key === "source" ? undefined : value)));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, find: () => T | undefined, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(20);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A twin, a client on it, a CRD source feeding a keeper, and what each produced. */
class Harness {
  readonly twin = Twin.create({ seed: 3, start: START });
  readonly loads: PolicyLoad[] = [];
  readonly verdicts: PolicyVerdict[] = [];
  readonly notices: WatchNotice[] = [];
  readonly keeper = new PolicyKeeper();
  kubeconfig = new KubeConfig();
  api!: CustomObjectsApi;
  source!: PolicyCrdSource;
  port = 0;

  async listen(port = 0): Promise<void> {
    const url = await this.twin.listen(port);
    this.port = Number(new URL(url).port);
    this.kubeconfig.loadFromString(this.twin.kubeconfig());
    this.api = this.kubeconfig.makeApiClient(CustomObjectsApi);
  }

  /** A source on this twin, or on `kubeconfig` when the twin is not up yet. */
  start(options: Partial<PolicyCrdSourceOptions> = {}, kubeconfig = this.kubeconfig): Promise<PolicyLoad> {
    this.source = new PolicyCrdSource({
      kubeconfig,
      debounceMs: 30,
      backoff: { initialMs: 50, maxMs: 200 },
      ...options,
      onLoad: (load) => {
        this.loads.push(load);
        this.verdicts.push(this.keeper.offer(load));
      },
      onNotice: (notice) => this.notices.push(notice),
    });
    return this.source.start();
  }

  /** The first load after the `after`-th whose policies are `expected`. */
  next(after: number, expected: string[]): Promise<PolicyLoad> {
    return until(
      `a load of ${expected.join(", ")}; loads: ${JSON.stringify(this.loads.map((l) => summary(l.set)))}`,
      () => this.loads.slice(after).find((load) => JSON.stringify(summary(load.set)) === JSON.stringify(expected)),
    );
  }

  create(plural: string, body: Record<string, unknown>): Promise<unknown> {
    return this.api.createClusterCustomObject({ ...GROUP, plural, body });
  }

  async replace(plural: string, name: string, change: (object: Record<string, unknown>) => void): Promise<void> {
    const object = (await this.api.getClusterCustomObject({ ...GROUP, plural, name })) as Record<string, unknown>;
    change(object);
    await this.api.replaceClusterCustomObject({ ...GROUP, plural, name, body: object });
  }

  delete(plural: string, name: string): Promise<unknown> {
    return this.api.deleteClusterCustomObject({ ...GROUP, plural, name });
  }

  async stop(): Promise<void> {
    this.source?.stop();
    await this.twin.stop();
  }
}

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function listening(): Promise<Harness> {
  harness = new Harness();
  await harness.listen();
  return harness;
}

describe("PolicyCrdSource", () => {
  it("starts with one load of what is there, named Kind/name, whatever the server added", async () => {
    const h = await listening();
    await h.create("balancepolicies", {
      ...balancePolicy("general"),
      metadata: {
        name: "general",
        labels: { team: "platform" },
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", owner: "platform team" },
        finalizers: ["kubedrs.io/keep"],
        managedFields: [{ manager: "kubectl", operation: "Apply" }],
      },
      status: { observedGeneration: 1, conditions: [{ type: "Accepted", status: "True" }] },
    });
    await h.create("placementrules", placementRule("db"));
    const first = await h.start();
    expect(h.loads).toEqual([first]);
    expect(first.errors).toEqual([]);
    expect(first.origin).toBe("CRDs kubedrs.io/v1alpha1");
    expect(summary(first.set)).toEqual(["BalancePolicy/general=3", "PlacementRule/db"]);
    expect(first.set.balance[0]?.source).toEqual({ file: "BalancePolicy/general", line: 1 });
    expect(first.set.balance[0]?.metadata).toEqual({
      name: "general",
      labels: { team: "platform" },
      annotations: { owner: "platform team" },
    });
  });

  it.each([
    {
      name: "a created policy is loaded",
      change: (h: Harness) => h.create("placementrules", placementRule("web")),
      expected: ["BalancePolicy/general=3", "PlacementRule/web"],
      changes: ["added PlacementRule/web"],
    },
    {
      name: "an updated policy is loaded",
      change: (h: Harness) =>
        h.replace("balancepolicies", "general", (object) => (object.spec = { aggressiveness: 5 })),
      expected: ["BalancePolicy/general=5"],
      changes: ["changed BalancePolicy/general"],
    },
    {
      name: "a deleted policy is unloaded",
      change: (h: Harness) => h.delete("balancepolicies", "general"),
      expected: [],
      changes: ["removed BalancePolicy/general"],
    },
  ])("$name", async ({ change, expected, changes }) => {
    const h = await listening();
    await h.create("balancepolicies", balancePolicy("general"));
    await h.start();
    await change(h);
    await h.next(1, expected);
    const verdict = h.verdicts[h.loads.length - 1];
    expect(verdict?.accepted).toBe(true);
    expect(verdict?.changes.map(({ change: type, policy }) => `${type} ${policy}`)).toEqual(changes);
    expect(summary(h.keeper.current())).toEqual(expected);
  });

  it("reports a bad object with Kind/name and field path, keeps the last good set, then takes the fix", async () => {
    const h = await listening();
    await h.create("balancepolicies", balancePolicy("general"));
    await h.start();
    await h.create("balancepolicies", balancePolicy("gpu", { aggressivness: 1 }));
    const bad = await until("a rejected load", () => h.verdicts.find((verdict) => !verdict.accepted));
    expect(bad.errors).toEqual([
      expect.stringMatching(/^BalancePolicy\/gpu:\d+:\d+: spec\.aggressivness: Forbidden: /),
    ]);
    expect(bad.summary).toMatch(/generation 1 \(1 policy\) stays in force$/);
    expect(summary(h.keeper.current())).toEqual(["BalancePolicy/general=3"]);
    const count = h.loads.length;
    await h.replace("balancepolicies", "gpu", (object) => (object.spec = { aggressiveness: 1 }));
    await h.next(count, ["BalancePolicy/general=3", "BalancePolicy/gpu=1"]);
    expect(h.keeper.generation).toBe(2);
  });

  it("makes one load of changes that arrive together", async () => {
    const h = await listening();
    await h.start({ debounceMs: 200 });
    await Promise.all(["a", "b", "c", "d"].map((name) => h.create("placementrules", placementRule(name))));
    await h.next(1, ["PlacementRule/a", "PlacementRule/b", "PlacementRule/c", "PlacementRule/d"]);
    await pause(300);
    expect(h.loads).toHaveLength(2);
  });

  it("relists after a 410 Gone and goes on watching", async () => {
    const h = await listening();
    await h.create("balancepolicies", balancePolicy("general"));
    await h.start({ watchTimeoutSeconds: 1 });
    // A change the policy watches do not see, then compaction: resuming from their version is now too old.
    h.twin.runtime.store.create(h.twin.runtime.resources.namespaces, { metadata: { name: "elsewhere" } });
    h.twin.runtime.store.compact();
    const balancePolicies = (notice: WatchNotice): boolean => notice.resource === "balancepolicies.kubedrs.io";
    await until("a 410 Gone, then a relist", () => {
      const gone = h.notices.findIndex((notice) => balancePolicies(notice) && notice.event === "gone");
      const relisted = h.notices.slice(gone + 1).some((notice) => balancePolicies(notice) && notice.event === "listed");
      return gone >= 0 && relisted ? true : undefined;
    });
    const count = h.loads.length;
    await h.create("placementrules", placementRule("after"));
    await h.next(count, ["BalancePolicy/general=3", "PlacementRule/after"]);
  });

  it("relists after a dropped connection and catches up with what changed meanwhile", async () => {
    const h = await listening();
    await h.create("balancepolicies", balancePolicy("general"));
    await h.start();
    await h.twin.server.close();
    const { store, registry } = h.twin.runtime;
    const rules = registry.find("kubedrs.io", "v1alpha1", "placementrules")!;
    const balance = registry.find("kubedrs.io", "v1alpha1", "balancepolicies")!;
    store.create(rules, placementRule("meanwhile") as never);
    store.delete(balance, undefined, "general", { actor: "test" });
    store.compact();
    await until("a failed watch", () => h.notices.find((notice) => notice.event === "watch-failed"));
    await h.twin.server.listen(h.port);
    await h.next(1, ["PlacementRule/meanwhile"]);
    expect(summary(h.keeper.current())).toEqual(["PlacementRule/meanwhile"]);
  });

  it("reports every kind it cannot list, then loads once the API server is up", async () => {
    harness = new Harness();
    const port = await freePort();
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromString(twinKubeconfig(`http://127.0.0.1:${port}`));
    const first = await harness.start({}, kubeconfig);
    expect(first.errors.map((error) => error.file)).toEqual([
      "balancepolicies.kubedrs.io",
      "placementrules.kubedrs.io",
      "migrationprofiles.kubedrs.io",
      "maintenancepolicies.kubedrs.io",
      "failoverpolicies.kubedrs.io",
    ]);
    expect(harness.verdicts[0]?.errors[0]).toMatch(
      /^balancepolicies\.kubedrs\.io:1:1: <document>: Invalid: cannot list: .*ECONNREFUSED/,
    );
    expect(harness.keeper.current()).toBeUndefined();
    harness.twin.runtime.store.create(
      harness.twin.runtime.registry.find("kubedrs.io", "v1alpha1", "balancepolicies")!,
      balancePolicy("general") as never,
    );
    await harness.listen(port);
    await until("a good load", () => (harness?.verdicts.some((verdict) => verdict.accepted) ? true : undefined));
    expect(summary(harness.keeper.current())).toEqual(["BalancePolicy/general=3"]);
  });

  it("delivers nothing after stop", async () => {
    const h = await listening();
    await h.start();
    h.source.stop();
    await h.create("placementrules", placementRule("late"));
    await pause(200);
    expect(h.loads).toHaveLength(1);
  });

  it("loads what kubectl applies from the example directory as the directory source does, and kubectl lists it", async () => {
    const h = await listening();
    await h.start();
    const kubectl = await Kubectl.forTwin(h.twin);
    try {
      await kubectl.ok("apply", "-f", EXAMPLES);
      const fromFiles = await loadPolicyDirectory(EXAMPLES, EXAMPLES);
      expect(fromFiles.errors).toEqual([]);
      const load = await h.next(1, summary(fromFiles.set));
      expect(load.errors).toEqual([]);
      expect(withoutSources(load.set)).toEqual(withoutSources(fromFiles.set));
      const balance = parseTable(await kubectl.ok("get", "bp"));
      expect(balance.rows.map((row) => row.NAME)).toEqual(fromFiles.set.balance.map((p) => p.metadata.name));
      const all = await kubectl.ok("get", "kubedrs", "-o", "name");
      expect(all.trim().split("\n")).toHaveLength(summary(fromFiles.set).length);
    } finally {
      await kubectl.close();
    }
  });
});
