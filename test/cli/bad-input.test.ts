/**
 * What a user's mistake looks like: exit 1, a message on stderr naming the file, line and field,
 * nothing on stdout, and never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, kubedrs, lines, reportedErrors, scenario, scratch } from "./run-cli.ts";

const STACK_FRAME = /^\s+at .+[:(]\d+/m;

function expectUserError(run: CliRun): void {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe("");
  expect(run.stderr).not.toBe("");
  expect(run.stderr).not.toMatch(STACK_FRAME);
}

// `lines` joins its arguments, so the Nth argument is line N.
const BAD_SNAPSHOTS = {
  "schema.yaml": lines(
    "apiVersion: kubedrs.io/v1alpha1",
    "kind: ClusterSnapshot",
    'takenAt: "2026-11-22T10:00:00Z"',
    "nodes:",
    "  - name: node-1",
    "    capacity: { cpu: '32', memory: 12 GB }", // line 6: not a quantity
    "vms:",
    "  - namespace: apps",
    "    name: web",
    "    node: node-1",
    "    requests: { cpu: '1', memory: 1Gi }",
    "    cpuu: 2", // line 12: no such field
  ),
  "unknown-node.yaml": lines(
    "apiVersion: kubedrs.io/v1alpha1",
    "kind: ClusterSnapshot",
    'takenAt: "2026-11-22T10:00:00Z"',
    "nodes:",
    "  - { name: node-1, capacity: { cpu: '32', memory: 128Gi } }",
    "vms:",
    "  - namespace: apps",
    "    name: web",
    "    node: node-9", // line 9: no such node
    "    requests: { cpu: '1', memory: 1Gi }",
  ),
  "schema.json": lines(
    "{",
    '  "apiVersion": "kubedrs.io/v1alpha1",',
    '  "kind": "ClusterSnapshot",',
    '  "takenAt": "2026-11-22T10:00:00Z",',
    '  "nodes": [',
    '    { "name": "node-1", "capacity": { "cpu": "lots" } }', // line 6: not a quantity
    "  ]",
    "}",
  ),
  "syntax.json": lines(
    "{",
    '  "apiVersion": "kubedrs.io/v1alpha1",',
    '  "kind": "ClusterSnapshot"', // line 3: no comma
    '  "nodes": []',
    "}",
  ),
};

describe("a malformed snapshot", () => {
  let dir: Awaited<ReturnType<typeof scratch>>;

  beforeAll(async () => {
    dir = await scratch(BAD_SNAPSHOTS);
  });

  afterAll(async () => {
    await dir.remove();
  });

  async function planOn(file: string): Promise<CliRun> {
    return kubedrs("plan", "--snapshot", dir.path(file));
  }

  it.each([
    ["a bad quantity", "schema.yaml", { line: 6, path: "nodes[0].capacity.memory", type: "Invalid" }],
    ["an unknown field", "schema.yaml", { line: 12, path: "vms[0].cpuu", type: "Forbidden" }],
    ["a VM on an unknown node", "unknown-node.yaml", { line: 9, path: "vms[0].node", type: "NotSupported" }],
    ["a bad quantity in JSON", "schema.json", { line: 6, path: "nodes[0].capacity.cpu", type: "Invalid" }],
  ])("reports %s with file, line and field path", async (_case, file, expected) => {
    const run = await planOn(file);
    expectUserError(run);
    expect(run.stderr.split("\n")[0]).toBe(`error: the snapshot ${dir.path(file)} is not valid:`);
    expect(reportedErrors(run.stderr)).toContainEqual(expect.objectContaining({ file, ...expected }));
  });

  it("reports every schema error at once", async () => {
    expect(reportedErrors((await planOn("schema.yaml")).stderr).map((error) => error.path)).toEqual([
      "nodes[0].capacity.memory",
      "vms[0].cpuu",
    ]);
  });

  it("reports a JSON syntax error against the file", async () => {
    const run = await planOn("syntax.json");
    expectUserError(run);
    // The line is not asserted: JSON syntax errors are currently all placed at 1:1 (see the report).
    expect(reportedErrors(run.stderr)).toEqual([expect.objectContaining({ file: "syntax.json", path: "<document>" })]);
    expect(run.stderr).toContain("JSON syntax");
  });

  it("is refused by explain as well", async () => {
    expectUserError(await kubedrs("explain", "apps/web", "--snapshot", dir.path("schema.yaml")));
  });
});

describe("missing inputs", () => {
  const skewed = scenario("skewed");

  it("exits 1 naming a snapshot file that does not exist", async () => {
    const run = await kubedrs("plan", "--snapshot", "/nonexistent/kubedrs/snapshot.yaml");
    expectUserError(run);
    expect(run.stderr).toBe("error: the snapshot file /nonexistent/kubedrs/snapshot.yaml does not exist\n");
  });

  it("exits 1 naming a policy directory that does not exist", async () => {
    const run = await kubedrs("plan", "--snapshot", skewed.snapshot, "--policies", "/nonexistent/kubedrs/policies");
    expectUserError(run);
    expect(run.stderr).toBe("error: the policy directory /nonexistent/kubedrs/policies does not exist\n");
  });

  it("exits 1 when a required option is missing", async () => {
    const run = await kubedrs("plan");
    expectUserError(run);
    expect(run.stderr.split("\n")[0]).toMatch(/^error: .*--snapshot/);
  });
});

describe("bad commands and option values", () => {
  const skewed = scenario("skewed");

  it.each([
    ["an unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
    ["an unknown option", ["plan", "--snapshot", skewed.snapshot, "--frob"], /unknown option '--frob'/],
    ["a seed that is not a number", ["plan", "--snapshot", skewed.snapshot, "--seed", "abc"], /--seed/],
    ["a negative move limit", ["plan", "--snapshot", skewed.snapshot, "--max-moves", "-1"], /--max-moves/],
    ["an unknown output format", ["plan", "--snapshot", skewed.snapshot, "-o", "xml"], /"xml".*table, json or yaml/],
    ["an --at that is not a time", ["plan", "--snapshot", skewed.snapshot, "--at", "tomorrow"], /--at tomorrow/],
    ["explain without a VM", ["explain", "--snapshot", skewed.snapshot], /missing required argument/],
    ["generate with a bad seed", ["snapshot", "generate", "--nodes", "5", "--vms", "4", "--seed", "abc"], /--seed/],
    ["generate with no nodes", ["snapshot", "generate", "--nodes", "0", "--vms", "4"], /--nodes must be at least 1/],
    ["generate as XML", ["snapshot", "generate", "--nodes", "5", "--vms", "4", "-o", "xml"], /--output/],
    ["generate with --hot above 1", ["snapshot", "generate", "--nodes", "5", "--vms", "4", "--hot", "2"], /--hot/],
  ])("exits 1 on %s", async (_case, args, message) => {
    const run = await kubedrs(...args);
    expectUserError(run);
    // The first line is the error; usage help may follow it, naming every option.
    const [first] = run.stderr.split("\n");
    expect(first).toMatch(/^error: /);
    expect(first).toMatch(message);
  });

  it("exits 0 on --help and lists the commands", async () => {
    const run = await kubedrs("--help");
    expect(run.code).toBe(0);
    for (const command of ["plan", "explain", "snapshot", "policy", "demo"]) expect(run.stdout).toContain(command);
  });
});
