/**
 * kubectl applies the base to a twin as to a real cluster. A server-side dry run changes
 * nothing. Like kube-apiserver's NamespaceLifecycle admission, the twin refuses a dry-run
 * create in a namespace that does not exist yet (the Namespace in the same apply is only
 * dry-run created too), so the dry run that passes is the one against a cluster that has
 * kubedrs-system; on a fresh cluster only those refusals fail it. A real apply creates
 * everything, the Namespace first.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Twin } from "../../src/twin/twin.ts";
import { type CommandRun, type Manifest, NAMESPACE, kubectl, renderedManifests } from "./manifests.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const START = Date.UTC(2026, 0, 1);

let manifests: Manifest[];
let twin: Twin | undefined;
let scratch: string | undefined;

beforeAll(async () => {
  manifests = await renderedManifests();
});

afterEach(async () => {
  await twin?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  twin = undefined;
  scratch = undefined;
});

async function freshTwin(): Promise<Twin> {
  twin = Twin.create({ seed: 7, start: START });
  await twin.listen();
  return twin;
}

/** kubectl against the twin (runs asynchronously, so the twin in this process can answer). */
async function kubectlAt(target: Twin, ...args: string[]): Promise<CommandRun> {
  scratch ??= await mkdtemp(join(tmpdir(), "kubedrs-apply-"));
  const kubeconfig = join(scratch, "kubeconfig");
  await writeFile(kubeconfig, target.kubeconfig(), { mode: 0o600 });
  return kubectl(["--kubeconfig", kubeconfig, ...args], { KUBECONFIG: kubeconfig });
}

function createNamespace(target: Twin, name: string): void {
  target.runtime.store.create(target.runtime.resources.namespaces, { metadata: { name } });
}

/** Every object the store holds, as kind/namespace/name. */
function stored(target: Twin): string[] {
  const { registry, store } = target.runtime;
  return registry.all
    .filter((resource) => !resource.virtual)
    .flatMap((resource) =>
      store
        .list(resource)
        .map((object) => `${resource.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`),
    )
    .sort();
}

describe("kubectl apply -k deploy/ against a twin", () => {
  it("passes a server-side dry run and stores nothing", async () => {
    const target = await freshTwin();
    createNamespace(target, NAMESPACE);
    const before = { objects: stored(target), version: target.runtime.store.resourceVersion() };
    const run = await kubectlAt(target, "apply", "--dry-run=server", "-k", "deploy/");
    expect({ code: run.code, stderr: run.stderr.replace(/^Warning: .*last-applied-configuration.*\n/m, "") }).toEqual({
      code: 0,
      stderr: "",
    });
    const reported = run.stdout.trim().split("\n");
    expect(reported).toHaveLength(manifests.length);
    expect(reported.every((line) => line.endsWith("(server dry run)"))).toBe(true);
    expect({ objects: stored(target), version: target.runtime.store.resourceVersion() }).toEqual(before);
  });

  it("refuses, on a fresh cluster, only the dry-run objects in the namespace the same dry run would create", async () => {
    const target = await freshTwin();
    const namespaced = manifests.filter((manifest) => manifest.metadata.namespace === NAMESPACE).length;
    const run = await kubectlAt(target, "apply", "--dry-run=server", "-k", "deploy/");
    const refusals = run.stderr.split("\n").filter((line) => line.startsWith("Error from server"));
    expect(run.code).toBe(1);
    expect(refusals).toHaveLength(namespaced);
    expect(new Set(refusals.map((line) => line.replace(/"deploy\/"/, "")))).toEqual(
      new Set([`Error from server (NotFound): error when creating : namespaces "${NAMESPACE}" not found`]),
    );
    expect(stored(target)).toEqual([]);
  });

  it("creates every object of the base for real, and a second apply changes nothing", async () => {
    const target = await freshTwin();
    const first = await kubectlAt(target, "apply", "-k", "deploy/");
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: "" });
    const expected = manifests.map(
      (manifest) => `${manifest.kind}/${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`,
    );
    // The serviceaccount controller adds kubedrs-system's default ServiceAccount, as in a real cluster.
    expect(stored(target)).toEqual([...expected, `ServiceAccount/${NAMESPACE}/default`].sort());
    const version = target.runtime.store.resourceVersion();
    // kubectl re-sends the PodDisruptionBudget's selector (its patch strategy is replace), which changes nothing.
    const second = await kubectlAt(target, "apply", "-k", "deploy/");
    expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 0, stderr: "" });
    expect(target.runtime.store.resourceVersion()).toBe(version);
  });
});
