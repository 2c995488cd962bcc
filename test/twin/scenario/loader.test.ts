/**
 * A malformed scenario is reported field by field: every error at once, each with the file, the
 * line and the field path, as the policy loader does. The tests assert the kind and the path,
 * not the wording.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatPath } from "../../../src/core/policy/field-error.ts";
import {
  SCENARIO_LIBRARY,
  decodeScenario,
  loadScenarioFile,
  loadScenarioText,
  resolveScenarioReference,
} from "../../../src/twin/scenario/index.ts";
import { firstGroup, firstPool, scenarioDocument } from "./builders.ts";

// One line per entry; a case replaces line N (counted from 1) to break exactly that field.
const BASE = [
  "apiVersion: kubedrs.io/v1alpha1", // 1
  "kind: TwinScenario", // 2
  "metadata:", // 3
  "  name: broken", // 4
  "spec:", // 5
  "  duration: 1h", // 6
  "  nodePools:", // 7
  "    - name: node", // 8
  "      count: 4", // 9
  "      cpu: icelake", // 10
  "      cores: 32", // 11
  "      memory: 128Gi", // 12
  "  vmGroups:", // 13
  "    - name: web", // 14
  "      count: 6", // 15
  "      cpu: 2", // 16
  "      memory: 4Gi", // 17
  "      placement: { pool: node }", // 18
  "  events:", // 19
  "    - { at: 10m, type: power-off, node: node-01 }", // 20
];

function withLine(line: number, text: string): string {
  return `${BASE.map((original, index) => (index + 1 === line ? text : original)).join("\n")}\n`;
}

async function errorsOf(text: string): Promise<{ path: string; type: string; line: number; file: string }[]> {
  const loaded = await loadScenarioText("broken.yaml", text);
  if (loaded.ok) throw new Error("expected the scenario to be rejected");
  return loaded.errors.map((error) => ({
    path: formatPath(error.path),
    type: error.type,
    line: error.line,
    file: error.file,
  }));
}

describe("loading a scenario file", () => {
  it("accepts the base fixture", async () => {
    const loaded = await loadScenarioText("ok.yaml", `${BASE.join("\n")}\n`);
    expect(loaded.ok).toBe(true);
  });

  it.each([
    ["an unknown field", 11, "      corez: 32", { path: "spec.nodePools[0].corez", type: "Forbidden", line: 11 }],
    ["a bad quantity", 12, "      memory: 12 GB", { path: "spec.nodePools[0].memory", type: "Invalid", line: 12 }],
    [
      "an unknown CPU generation",
      10,
      "      cpu: pentium",
      { path: "spec.nodePools[0].cpu", type: "NotSupported", line: 10 },
    ],
    [
      "an unknown event type",
      20,
      "    - { at: 10m, type: explode, node: node-01 }",
      { path: "spec.events[0].type", type: "NotSupported", line: 20 },
    ],
    [
      "an unknown pool referenced",
      18,
      "      placement: { pool: gpu }",
      { path: "spec.vmGroups[0].placement.pool", type: "NotSupported", line: 18 },
    ],
    [
      "an event at a negative time",
      20,
      "    - { at: -5m, type: power-off, node: node-01 }",
      { path: "spec.events[0].at", type: "Invalid", line: 20 },
    ],
    [
      "an event after the end",
      20,
      "    - { at: 2h, type: power-off, node: node-01 }",
      { path: "spec.events[0].at", type: "Invalid", line: 20 },
    ],
    [
      "an event on an unknown node",
      20,
      "    - { at: 10m, type: power-off, node: node-09 }",
      { path: "spec.events[0].node", type: "NotSupported", line: 20 },
    ],
    [
      "an event naming no host",
      20,
      "    - { at: 10m, type: partition }",
      { path: "spec.events[0].node", type: "Required", line: 20 },
    ],
    [
      "a load spike on an unknown VM",
      20,
      "    - { at: 10m, type: load-spike, vm: apps/nope, factor: 2 }",
      { path: "spec.events[0].vm", type: "NotSupported", line: 20 },
    ],
    [
      "a group without a count",
      15,
      "      namespace: apps",
      { path: "spec.vmGroups[0].count", type: "Required", line: 14 },
    ],
    [
      "a load curve of the wrong kind",
      18,
      "      load: { cpu: lots }",
      { path: "spec.vmGroups[0].load.cpu", type: "Invalid", line: 18 },
    ],
    ["a wrong apiVersion", 1, "apiVersion: v1", { path: "apiVersion", type: "NotSupported", line: 1 }],
    ["a duration of zero", 6, "  duration: 0s", { path: "spec.duration", type: "Invalid", line: 6 }],
    ["broken YAML", 12, "      memory: [128Gi", { path: "<document>", type: "Invalid", line: 13 }],
  ])("reports %s with file, line and path", async (_name, line, text, expected) => {
    const errors = await errorsOf(withLine(line, text));
    expect(errors).toContainEqual({ ...expected, file: "broken.yaml" });
  });

  it("reports every error at once", async () => {
    const text = withLine(12, "      memory: 12 GB")
      .replace("cores: 32", "cores: -1")
      .replace("type: power-off", "type: boom");
    const paths = (await errorsOf(text)).map((error) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining(["spec.nodePools[0].memory", "spec.nodePools[0].cores", "spec.events[0].type"]),
    );
  });

  it("says when the file cannot be read", async () => {
    const loaded = await loadScenarioFile("/no/such/scenario.yaml");
    expect(loaded.ok).toBe(false);
  });
});

describe("cross-references the schema cannot check", () => {
  it.each([
    [
      "two pools with one name",
      scenarioDocument((d) => d.spec.nodePools.push({ ...firstPool(d) })),
      { type: "Duplicate", path: "spec.nodePools[1].name" },
    ],
    [
      "two groups making the same VM names",
      scenarioDocument((d) => d.spec.vmGroups.push({ ...firstGroup(d), name: "web2", namePattern: "web-{index}" })),
      { type: "Duplicate", path: "spec.vmGroups[1].namePattern" },
    ],
    [
      "a skew node outside the placement",
      scenarioDocument((d) => {
        d.spec.nodePools.push({ name: "gpu", count: 1, cpu: "epyc-milan", cores: 64, memory: "256Gi" });
        firstGroup(d).placement = { pool: "node", skew: { nodes: ["gpu-01"], share: 0.5 } };
      }),
      { type: "Invalid", path: "spec.vmGroups[0].placement.skew.nodes[0]" },
    ],
    [
      "an event in an unknown zone",
      scenarioDocument((d) => d.spec.events.push({ at: "1m", type: "partition", zone: "zone-z" })),
      { type: "NotSupported", path: "spec.events[0].zone" },
    ],
    [
      "an object of a kind the twin does not serve",
      scenarioDocument((d) => (d.spec.objects = [{ apiVersion: "v1", kind: "Secret", metadata: { name: "x" } }])),
      { type: "NotSupported", path: "spec.objects[0].kind" },
    ],
    [
      "a pool with both a CPU generation and CPU labels",
      scenarioDocument((d) => (firstPool(d).cpuLabels = { "cpu-vendor.node.kubevirt.io/Intel": "true" })),
      { type: "Forbidden", path: "spec.nodePools[0].cpu" },
    ],
  ])("rejects %s", (_name, document, expected) => {
    const result = decodeScenario(document);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.map((error) => ({ type: error.type, path: formatPath(error.path) }));
    expect(errors).toContainEqual(expected);
  });
});

describe("trace directories", () => {
  const tracesGroup = (directory: string): string =>
    `${BASE.slice(0, 13).join("\n")}\n    - { name: pl, cpu: 1, memory: 1Gi, traces: { directory: ${directory} } }\n`;

  it("finds one VM per trace file under KUBEDRS_TRACES", async () => {
    const root = await mkdtemp(join(tmpdir(), "kubedrs-traces-"));
    try {
      await writeFile(join(root, "b"), "10\n20\n");
      await writeFile(join(root, "a"), "30\n");
      const loaded = await loadScenarioText("t.yaml", tracesGroup("."), { env: { KUBEDRS_TRACES: root } });
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
      const [group] = loaded.scenario.layout.groups;
      expect(group?.names).toEqual(["pl-01", "pl-02"]);
      expect(group?.traceFiles).toEqual([join(root, "a"), join(root, "b")]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("says where it looked and how to point elsewhere when the directory is missing", async () => {
    const loaded = await loadScenarioText("t.yaml", tracesGroup("planetlab/19990101"), {
      env: { KUBEDRS_TRACES: "/no/traces" },
    });
    expect(loaded.ok).toBe(false);
    const [error] = loaded.ok ? [] : loaded.errors;
    expect(error).toMatchObject({ path: ["spec", "vmGroups", 0, "traces", "directory"], line: 14 });
    expect(error?.message).toContain("KUBEDRS_TRACES");
  });
});

describe("scenario references", () => {
  it("resolves a library name to scenarios/<name>.yaml", async () => {
    expect(await resolveScenarioReference("demo")).toBe(join(SCENARIO_LIBRARY, "demo.yaml"));
  });

  it("takes a library file's own path as it is", async () => {
    const file = join(SCENARIO_LIBRARY, "zones.yaml");
    expect(await resolveScenarioReference(file)).toBe(file);
  });

  it("prefers an existing file over the library scenario of the same name", async () => {
    // A file named "demo" in the working directory: the reference is both a path and a library name.
    const dir = await mkdtemp(join(tmpdir(), "kubedrs-scenario-ref-"));
    const cwd = process.cwd();
    try {
      await writeFile(join(dir, "demo"), "kind: TwinScenario\n");
      process.chdir(dir);
      expect(await resolveScenarioReference("demo")).toBe("demo");
    } finally {
      process.chdir(cwd);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("finds nothing for an unknown name", async () => {
    expect(await resolveScenarioReference("no-such-scenario")).toBeUndefined();
  });
});
