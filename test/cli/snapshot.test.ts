/** `kubedrs snapshot generate`: a valid synthetic ClusterSnapshot on stdout, the same for the same seed. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadSnapshotText } from "../../src/adapters/files/snapshot-file.ts";
import { kubedrs } from "./run-cli.ts";

const FIVE_BY_FORTY = ["snapshot", "generate", "--nodes", "5", "--vms", "40"];

interface GeneratedSnapshot {
  readonly kind: string;
  readonly nodes: readonly { readonly name: string }[];
  readonly vms: readonly { readonly node: string }[];
}

describe("kubedrs snapshot generate", () => {
  it("writes a JSON ClusterSnapshot with the nodes and VMs asked for", async () => {
    const run = await kubedrs(...FIVE_BY_FORTY, "--seed", "3");
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const snapshot = JSON.parse(run.stdout) as GeneratedSnapshot;
    expect(snapshot.kind).toBe("ClusterSnapshot");
    expect(snapshot.nodes).toHaveLength(5);
    expect(snapshot.nodes.every((node) => typeof node.name === "string" && node.name !== "")).toBe(true);
    expect(snapshot.vms).toHaveLength(40);
    const names = new Set(snapshot.nodes.map((node) => node.name));
    expect(snapshot.vms.every((vm) => names.has(vm.node))).toBe(true);
  });

  it("writes a snapshot that `plan` accepts as it is", async () => {
    const run = await kubedrs(...FIVE_BY_FORTY, "--seed", "3");
    const loaded = loadSnapshotText("generated.json", run.stdout);
    expect(loaded.ok ? [] : loaded.errors).toEqual([]);
  });

  it("is deterministic: the same seed gives the same bytes, another seed another cluster", async () => {
    const first = await kubedrs(...FIVE_BY_FORTY, "--seed", "3");
    const second = await kubedrs(...FIVE_BY_FORTY, "--seed", "3");
    const other = await kubedrs(...FIVE_BY_FORTY, "--seed", "4");
    expect(second.stdout).toBe(first.stdout);
    expect(other.stdout).not.toBe(first.stdout);
  });

  it("writes the same snapshot as YAML with -o yaml", async () => {
    const json = await kubedrs(...FIVE_BY_FORTY, "--seed", "3");
    const yaml = await kubedrs(...FIVE_BY_FORTY, "--seed", "3", "-o", "yaml");
    expect(yaml.code).toBe(0);
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });
});
