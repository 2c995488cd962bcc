/**
 * `kubedrs plan|explain|snapshot capture --kubeconfig` against the demo twin, as against a live
 * cluster: the plan is read from the cluster's objects and one metrics.k8s.io sample, acts on
 * nothing, and kubectl (an independent client) agrees on what it saw.
 */
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/balance/plan-types.ts";
import type { VmExplanation } from "../../src/core/balance/explain.ts";
import { kubedrs } from "../cli/run-cli.ts";
import { EXAMPLE_POLICIES, type ScenarioTwin, startDemoTwin } from "./controller-fixture.ts";

let cluster: ScenarioTwin;
let live: string[];

/** Lines of `kubectl get` as "namespace/name node" pairs (custom columns, no header). */
async function vmiNodes(): Promise<Map<string, string>> {
  const text = await cluster.kubectl.ok(
    "get",
    "vmi",
    "-A",
    "--no-headers",
    "-o",
    "custom-columns=NS:.metadata.namespace,NAME:.metadata.name,NODE:.status.nodeName",
  );
  const rows = text
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/));
  return new Map(rows.map(([namespace, name, node]) => [`${namespace}/${name}`, node ?? ""]));
}

beforeAll(async () => {
  cluster = await startDemoTwin();
  live = ["--kubeconfig", cluster.kubeconfig, "--clock", "twin"];
  // metrics.k8s.io has a window once the twin has sampled for a little while.
  await cluster.kubectl.ok("wait", "--for=jsonpath={.status.phase}=Running", "vmi", "--all", "-A", "--timeout=60s");
}, 90_000);

afterAll(async () => {
  await cluster.close();
});

describe("kubedrs plan --kubeconfig (a live cluster)", () => {
  it("plans every move from a VM's current node to another schedulable node, and creates nothing", async () => {
    const run = await kubedrs("plan", ...live, "--policies", EXAMPLE_POLICIES, "-o", "json");
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as Plan;
    // The demo starts skewed: two hot nodes, the rest cool.
    expect(plan.moves.length).toBeGreaterThan(0);
    expect(plan.imbalanceAfter).toBeLessThan(plan.imbalanceBefore);
    const nodes = new Set((await cluster.kubectl.ok("get", "nodes", "-o", "name")).trim().split("\n"));
    const placement = await vmiNodes();
    for (const move of plan.moves) {
      expect(placement.get(move.vm)).toBe(move.from);
      expect(nodes.has(`node/${move.to}`)).toBe(true);
      expect(move.to).not.toBe(move.from);
    }
    expect((await cluster.kubectl.ok("get", "vmim", "-A", "-o", "name")).trim()).toBe("");
  });

  it("explains one VM with a verdict for every node", async () => {
    const [vm] = [...(await vmiNodes()).keys()];
    const run = await kubedrs("explain", vm!, ...live, "-o", "json");
    expect(run.code, run.stderr).toBe(0);
    const explanation = JSON.parse(run.stdout) as VmExplanation;
    const nodes = (await cluster.kubectl.ok("get", "nodes", "-o", "name")).trim().split("\n");
    expect(explanation.nodes.map((node) => `node/${node.node}`).sort()).toEqual(nodes.sort());
  });

  it("captures a snapshot with every VMI where kubectl sees it and measured usage on each node", async () => {
    const run = await kubedrs("snapshot", "capture", ...live);
    expect(run.code, run.stderr).toBe(0);
    const snapshot = JSON.parse(run.stdout) as {
      nodes: { name: string; usage?: unknown }[];
      vms: { namespace: string; name: string; node?: string }[];
    };
    const placement = await vmiNodes();
    expect(new Map(snapshot.vms.map((vm) => [`${vm.namespace}/${vm.name}`, vm.node]))).toEqual(placement);
    expect(snapshot.nodes.every((node) => node.usage !== undefined)).toBe(true);
  });

  it("names the reason once when no resource can be read", async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    const file = await cluster.kubectl.file(
      "unreachable.yaml",
      [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{name: c, cluster: {server: 'https://127.0.0.1:${port}', insecure-skip-tls-verify: true}}]`,
        "contexts: [{name: c, context: {cluster: c, user: u}}]",
        "users: [{name: u, user: {}}]",
        "current-context: c",
      ].join("\n"),
    );
    const run = await kubedrs("plan", "--kubeconfig", file);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot read the cluster of .*unreachable\.yaml:\n {2}every resource: .*ECONNREFUSED/);
  });

  it("refuses --policies crd on a snapshot file and both sources at once", async () => {
    const both = await kubedrs("plan", "--snapshot", "x.yaml", ...live);
    expect(both.stderr).toContain("give either --snapshot FILE or --kubeconfig FILE");
    const crd = await kubedrs("plan", "--snapshot", "x.yaml", "--policies", "crd");
    expect(crd.stderr).toContain("--policies crd reads a live cluster");
  });
});
