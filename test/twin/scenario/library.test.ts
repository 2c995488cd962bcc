/**
 * The scenario library: every file loads, validates against the generated JSON Schema, applies
 * to a twin, and shows what its comment promises. scale-1k and planetlab-day are loaded and
 * expanded but not applied here, to keep the suite fast (scale-1k applies in about 1.5 s).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LABEL } from "../../../src/core/model/kubevirt-labels.ts";
import type { KubeObject } from "../../../src/twin/api/types.ts";
import {
  SCENARIO_LIBRARY,
  type Scenario,
  applyScenario,
  libraryScenarioNames,
  loadScenarioFile,
  scenarioJsonSchema,
} from "../../../src/twin/scenario/index.ts";
import { tracesRoot } from "../../../src/twin/scenario/traces.ts";
import { Twin } from "../../../src/twin/twin.ts";
import { at, initialNodeOf, textAt } from "./builders.ts";

const LIBRARY = [
  "demo",
  "zones",
  "mixed-cpu",
  "numa",
  "host-failure",
  "maintenance",
  "maintenance-drill",
  "scale-1k",
  "planetlab-day",
  "planetlab-cloudsim",
];
const TRACED = new Set(["planetlab-day", "planetlab-cloudsim"]);
const APPLIED = LIBRARY.filter((name) => name !== "scale-1k" && !TRACED.has(name));
const PLANETLAB_DAY = join(tracesRoot(process.env), "planetlab/20110303");

async function load(name: string): Promise<Scenario> {
  const loaded = await loadScenarioFile(join(SCENARIO_LIBRARY, `${name}.yaml`));
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.errors)}`);
  return loaded.scenario;
}

async function appliedTwin(name: string): Promise<{ twin: Twin; vms: KubeObject[]; nodes: KubeObject[] }> {
  const scenario = await load(name);
  const twin = Twin.create({ seed: scenario.document.spec.seed ?? 1, start: scenario.document.spec.start });
  applyScenario(twin, scenario);
  const { store, resources } = twin.runtime;
  return { twin, vms: store.list(resources.virtualMachines), nodes: store.list(resources.nodes) };
}

// Formats (date-time) are the zod schema's to check; ajv would only warn that it does not know them.
const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(scenarioJsonSchema());

const templateSpec = (vm: unknown, ...path: string[]): unknown => at(vm, "spec", "template", "spec", ...path);

it("holds the ten named scenarios", async () => {
  expect(await libraryScenarioNames()).toEqual([...LIBRARY].sort());
});

describe.each(LIBRARY)("the %s scenario", (name) => {
  const needsTraces = TRACED.has(name) && !existsSync(PLANETLAB_DAY);

  it.skipIf(needsTraces)("loads", async () => {
    const scenario = await load(name);
    expect(scenario.document.metadata.name).toBe(name);
  });

  it("matches the TwinScenario JSON Schema", () => {
    const document: unknown = parse(readFileSync(join(SCENARIO_LIBRARY, `${name}.yaml`), "utf8"));
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe.each(APPLIED)("the %s scenario", (name) => {
  it("applies to a twin, and every VM runs where its placement put it", async () => {
    const { twin, vms } = await appliedTwin(name);
    expect(vms.length).toBeGreaterThan(0);
    twin.advance(2 * 60_000);
    const { store, resources } = twin.runtime;
    const where = (vm: KubeObject): string => {
      const vmi = store.get(resources.virtualMachineInstances, vm.metadata.namespace ?? "", vm.metadata.name ?? "");
      return `${textAt(vmi, "status", "phase") ?? "no VMI"} on ${textAt(vmi, "status", "nodeName") ?? "no node"}`;
    };
    const expected = vms.map((vm) => `${vm.metadata.name ?? ""}: Running on ${initialNodeOf(vm) ?? "no node"}`);
    expect(vms.map((vm) => `${vm.metadata.name ?? ""}: ${where(vm)}`)).toEqual(expected);
    await twin.stop();
  });
});

it("the JSON Schema rejects an unknown event type", () => {
  const document = { ...parse(readFileSync(join(SCENARIO_LIBRARY, "demo.yaml"), "utf8")) };
  document.spec = { ...document.spec, events: [{ at: "1m", type: "explode", node: "node-01" }] };
  expect(validate(document)).toBe(false);
});

describe("what each scenario promises", () => {
  it("demo: eight nodes, two of them crowded", async () => {
    const { twin, nodes, vms } = await appliedTwin("demo");
    const perNode = new Map<string, number>();
    for (const vm of vms) {
      const node = initialNodeOf(vm) ?? "";
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
    }
    expect(nodes).toHaveLength(8);
    const crowded = Math.min(perNode.get("node-01") ?? 0, perNode.get("node-02") ?? 0);
    const others = [3, 4, 5, 6, 7, 8].map((i) => perNode.get(`node-0${i}`) ?? 0);
    expect(crowded).toBeGreaterThan(Math.max(...others) - 3);
    expect(crowded).toBeGreaterThan((others.reduce((a, b) => a + b, 0) / others.length) * 1.5);
    await twin.stop();
  });

  it("zones: three zones, with groups spread by required anti-affinity", async () => {
    const { twin, nodes, vms } = await appliedTwin("zones");
    expect(new Set(nodes.map((node) => node.metadata.labels?.[LABEL.zone]))).toEqual(
      new Set(["zone-a", "zone-b", "zone-c"]),
    );
    const ledger = vms.filter((vm) => vm.metadata.labels?.["twin.kubedrs.io/group"] === "ledger");
    const zoneOf = new Map(nodes.map((node) => [node.metadata.name, node.metadata.labels?.[LABEL.zone]]));
    const zones = ledger.map((vm) => zoneOf.get(initialNodeOf(vm)));
    expect(new Set(zones).size).toBe(3);
    expect(
      templateSpec(ledger[0], "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"),
    ).toHaveLength(1);
    await twin.stop();
  });

  it("mixed-cpu: both vendors, and host-model, host-passthrough and named-model VMs", async () => {
    const { twin, nodes, vms } = await appliedTwin("mixed-cpu");
    const vendors = new Set(
      nodes.flatMap((node) => Object.keys(node.metadata.labels ?? {}).filter((key) => key.startsWith(LABEL.cpuVendor))),
    );
    expect(vendors).toEqual(new Set([`${LABEL.cpuVendor}Intel`, `${LABEL.cpuVendor}AMD`]));
    const models = new Set(
      vms.map((vm) => textAt(vm, "spec", "template", "spec", "domain", "cpu", "model") ?? "host-model"),
    );
    expect(models).toEqual(new Set(["host-model", "host-passthrough", "Skylake-Server-IBRS", "EPYC-Rome", "Westmere"]));
    await twin.stop();
  });

  it("numa: pinned VMs with 1Gi hugepages on single-numa-node hosts with 1Gi pages", async () => {
    const { twin, nodes, vms } = await appliedTwin("numa");
    const pinned = vms.filter((vm) => templateSpec(vm, "domain", "cpu", "dedicatedCpuPlacement") === true);
    expect(pinned.length).toBeGreaterThan(0);
    expect(pinned.every((vm) => templateSpec(vm, "domain", "memory", "hugepages", "pageSize") === "1Gi")).toBe(true);
    const numaNode = nodes.find((node) => node.metadata.labels?.[LABEL.cpuManager] === "true");
    expect(JSON.parse(numaNode?.metadata.annotations?.["twin.kubedrs.io/numa"] ?? "{}").topologyPolicy).toBe(
      "single-numa-node",
    );
    expect(textAt(numaNode, "status", "capacity", "hugepages-1Gi")).toBe("384Gi");
    await twin.stop();
  });

  it("host-failure: fence agent and self-node-remediation templates, and a host that loses power at 10m", async () => {
    const scenario = await load("host-failure");
    expect(scenario.document.spec.events).toEqual([
      expect.objectContaining({ type: "power-off", node: "node-03", at: 600 }),
    ]);
    expect(scenario.document.spec.objects.map((object) => object.kind)).toEqual([
      "FenceAgentsRemediationTemplate",
      "SelfNodeRemediationTemplate",
    ]);
  });

  it("maintenance: a NodeMaintenance request, and VMs on that node that cannot live-migrate", async () => {
    const scenario = await load("maintenance");
    const [event] = scenario.document.spec.events;
    expect(event).toMatchObject({ type: "maintenance", node: "node-02" });
    const stuck = scenario.document.spec.vmGroups.filter(
      (group) => group.interface === "bridge" || group.volumes.some((volume) => volume.accessMode === "ReadWriteOnce"),
    );
    expect(stuck.map((group) => group.placement?.nodes)).toEqual([["node-02"], ["node-02"]]);
  });

  it("scale-1k: 1,000 nodes and 30,000 VMs", async () => {
    const { layout } = await load("scale-1k");
    expect(layout.nodes).toHaveLength(1000);
    expect(layout.groups.reduce((sum, group) => sum + group.names.length, 0)).toBe(30_000);
  });

  it.skipIf(!existsSync(PLANETLAB_DAY))("planetlab-day: one VM per trace file, replaying it", async () => {
    const { layout } = await load("planetlab-day");
    const [group] = layout.groups;
    expect(group?.names.length).toBeGreaterThan(1000);
    expect(group?.traceFiles?.[0]).toContain(join("planetlab", "20110303"));
  });
});
