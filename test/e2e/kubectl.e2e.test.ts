/**
 * kubectl, unmodified, against a twin: the commands an administrator of a KubeVirt cluster types,
 * each checked for its exit code and for what it prints or changes. The twin's clock stands still
 * here (nothing but kubectl changes the cluster), except in the last block, which needs the
 * twin's simulated kubelets and metrics.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { kubevirtSchemas } from "../../src/twin/server/kubevirt-schemas.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/twin/api/types.ts";
import { Twin } from "../../src/twin/twin.ts";
import {
  migrationObject,
  namespaceObject,
  nodeObject,
  podObject,
  runningPod,
  runningVmi,
  seed,
  vmiObject,
  vmObject,
} from "./cluster.ts";
import { seedHost, whileTimeRuns } from "./controllers.ts";
import { Kubectl, type KubectlRun, type RunningKubectl, parseTable } from "./kubectl.ts";

const START = Date.parse("2025-06-01T08:00:00Z");
const NS = "e2e";

let twin: Twin;
let kubectl: Kubectl;

beforeAll(async () => {
  twin = Twin.create({ seed: 11, start: START });
  await twin.listen(0);
  kubectl = await Kubectl.forTwin(twin);
  seed(
    twin,
    namespaceObject(NS),
    namespaceObject("other"),
    nodeObject("node-1", "10.0.0.1", (node) => (node.metadata.labels = { ...node.metadata.labels, zone: "a" })),
    nodeObject("node-2", "10.0.0.2", (node) => (node.metadata.labels = { ...node.metadata.labels, zone: "b" })),
    runningPod("web-1", NS, "node-1", "10.1.0.1", (pod) => (pod.metadata.labels = { app: "web" })),
    runningPod("db-1", NS, "node-2", "10.1.0.2", (pod) => (pod.metadata.labels = { app: "db" })),
    runningPod("web-9", "other", "node-2", "10.1.0.9", (pod) => (pod.metadata.labels = { app: "web" })),
    vmObject(
      "vm-1",
      NS,
      (vm) => (vm.status = { printableStatus: "Running", conditions: [{ type: "Ready", status: "True" }] }),
    ),
    runningVmi("vm-1", NS, "node-1", "10.1.0.5"),
    migrationObject("mig-1", NS, "vm-1", "Running"),
  );
});

afterAll(async () => {
  await kubectl.close();
  await twin.stop();
});

/** Rows named after the kubectl command they run: `command` is the arguments as typed. */
function titled<T extends { args: readonly string[] }>(rows: readonly T[]): (T & { command: string })[] {
  const quote = (arg: string): string => (/[\s(){}!$]/.test(arg) ? `'${arg}'` : arg);
  return rows.map((row) => ({ ...row, command: row.args.map(quote).join(" ") }));
}

/** `kubectl patch KIND NAME -n e2e --subresource=status --type=merge -p {"status": STATUS}`. */
function patchStatus(kind: string, name: string, status: Record<string, unknown>): string[] {
  return ["patch", kind, name, "-n", NS, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })];
}

/** kubectl's exit code and output, for an assertion that shows all of them when it fails. */
function outcome(run: KubectlRun): { code: number; output: string } {
  return { code: run.code, output: run.stdout + run.stderr };
}

describe("kubectl get", () => {
  const tables = [
    {
      args: ["get", "nodes"],
      header: ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
      row: { NAME: "node-1", STATUS: "Ready", ROLES: "worker", VERSION: "v1.32.0" },
    },
    {
      args: ["get", "nodes", "-o", "wide"],
      header: ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP"],
      row: { NAME: "node-2", "INTERNAL-IP": "10.0.0.2" },
    },
    {
      args: ["get", "pods", "-n", NS],
      header: ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
      row: { NAME: "web-1", READY: "1/1", STATUS: "Running", RESTARTS: "0" },
    },
    {
      args: ["get", "pods", "-n", NS, "-o", "wide"],
      header: ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"],
      row: { NAME: "db-1", IP: "10.1.0.2", NODE: "node-2" },
    },
    {
      args: ["get", "pods", "-A"],
      header: ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"],
      row: { NAMESPACE: "other", NAME: "web-9", STATUS: "Running" },
    },
    {
      args: ["get", "vmi", "-n", NS],
      header: ["NAME", "AGE", "PHASE", "IP", "NODENAME", "READY"],
      row: { NAME: "vm-1", PHASE: "Running", IP: "10.1.0.5", NODENAME: "node-1", READY: "True" },
    },
    {
      args: ["get", "vm", "-n", NS],
      header: ["NAME", "AGE", "STATUS", "READY"],
      row: { NAME: "vm-1", STATUS: "Running", READY: "True" },
    },
    {
      args: ["get", "vmim", "-n", NS],
      header: ["NAME", "PHASE", "VMI", "AGE"],
      row: { NAME: "mig-1", PHASE: "Running", VMI: "vm-1" },
    },
  ];

  it.concurrent.for(titled(tables))(
    "kubectl $command prints the usual columns",
    async ({ args, header, row }, { expect }) => {
      const table = parseTable(await kubectl.ok(...args));
      expect(table.header).toEqual(header);
      expect(table.rows).toContainEqual(expect.objectContaining(row));
    },
  );

  const selections = [
    { args: ["-n", NS, "-l", "app=web"], names: ["pod/web-1"] },
    { args: ["-n", NS, "-l", "app!=web"], names: ["pod/db-1"] },
    { args: ["-n", NS, "-l", "app in (web,db)"], names: ["pod/db-1", "pod/web-1"] },
    { args: ["-A", "-l", "app=web"], names: ["pod/web-1", "pod/web-9"] },
    { args: ["-n", NS, "--field-selector", "spec.nodeName=node-2"], names: ["pod/db-1"] },
  ];

  it.concurrent.for(titled(selections))(
    "kubectl get pods $command selects $names",
    async ({ args, names }, { expect }) => {
      const output = await kubectl.ok("get", "pods", ...args, "-o", "name");
      expect(output.trim().split("\n").sort()).toEqual(names);
    },
  );

  it.concurrent("kubectl get -o yaml prints the whole object", async ({ expect }) => {
    const node = parseYaml(await kubectl.ok("get", "node", "node-1", "-o", "yaml")) as KubeObject;
    expect(node).toMatchObject({ apiVersion: "v1", kind: "Node", metadata: { name: "node-1", labels: { zone: "a" } } });
    expect(node.status).toMatchObject({ nodeInfo: { kubeletVersion: "v1.32.0" } });
  });

  it.concurrent("kubectl get -o jsonpath picks fields out of a list", async ({ expect }) => {
    const output = await kubectl.ok(
      "get",
      "vmi",
      "-n",
      NS,
      "-o",
      "jsonpath={range .items[*]}{.metadata.name}={.status.nodeName}{'\\n'}{end}",
    );
    expect(output).toBe("vm-1=node-1\n");
  });

  const missing = [
    { args: ["get", "pod", "missing", "-n", NS], message: 'Error from server (NotFound): pods "missing" not found' },
    {
      args: ["get", "vmi", "missing", "-n", NS],
      message: 'Error from server (NotFound): virtualmachineinstances.kubevirt.io "missing" not found',
    },
  ];
  it.concurrent.for(titled(missing))(
    "kubectl $command exits 1 with NotFound",
    async ({ args, message }, { expect }) => {
      const run = await kubectl.run(...args);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(message);
    },
  );
});

describe("kubectl explain", () => {
  it.skipIf(kubevirtSchemas() === undefined)("explains KubeVirt's fields from its own schema", async () => {
    const output = await kubectl.ok("explain", "vmim.spec.addedNodeSelector");
    expect(output).toMatch(/KIND:\s+VirtualMachineInstanceMigration/);
    expect(output).toMatch(/FIELD: addedNodeSelector <map\[string\]string>/);
  });
});

describe("kubectl describe", () => {
  const described = [
    { args: ["describe", "node", "node-1"], lines: [/^Name:\s+node-1$/m, /^Conditions:$/m, /^\s+Ready\s+True\s/m] },
    {
      args: ["describe", "pod", "web-1", "-n", NS],
      lines: [/^Name:\s+web-1$/m, /^Node:\s+node-1\//m, /^Status:\s+Running$/m],
    },
    { args: ["describe", "vmi", "vm-1", "-n", NS], lines: [/^Name:\s+vm-1$/m, /^Kind:\s+VirtualMachineInstance$/m] },
  ];
  it.concurrent.for(titled(described))(
    "kubectl $command succeeds and describes it",
    async ({ args, lines }, { expect }) => {
      const run = await kubectl.run(...args);
      expect(outcome(run)).toMatchObject({ code: 0 });
      for (const line of lines) expect(run.stdout).toMatch(line);
    },
  );
});

/** A manifest file holding `objects` as YAML documents. */
function manifest(name: string, ...objects: KubeObject[]): Promise<string> {
  return kubectl.file(`${name}.yaml`, objects.map((object) => stringifyYaml(object)).join("---\n"));
}

describe("kubectl apply -f", () => {
  it("creates, then leaves unchanged, then configures", async () => {
    const vm = vmObject("applied", NS, (object) => (object.metadata.labels = { tier: "gold" }));
    const file = await manifest("apply", vm);
    expect(await kubectl.ok("apply", "-f", file)).toBe("virtualmachine.kubevirt.io/applied created\n");
    expect(await kubectl.ok("apply", "-f", file)).toBe("virtualmachine.kubevirt.io/applied unchanged\n");
    await manifest("apply", { ...vm, metadata: { ...vm.metadata, labels: { tier: "silver" } } });
    expect(await kubectl.ok("apply", "-f", file)).toBe("virtualmachine.kubevirt.io/applied configured\n");
    expect(await kubectl.ok("get", "vm", "applied", "-n", NS, "-o", "jsonpath={.metadata.labels.tier}")).toBe("silver");
  });

  it("applies a file holding a namespace and a custom resource in it", async () => {
    const file = await manifest("multi", namespaceObject("applied-ns"), vmObject("vm-in-new-ns", "applied-ns"));
    expect(await kubectl.ok("apply", "-f", file)).toBe(
      "namespace/applied-ns created\nvirtualmachine.kubevirt.io/vm-in-new-ns created\n",
    );
    expect(await kubectl.ok("get", "vm", "-n", "applied-ns", "-o", "name")).toBe(
      "virtualmachine.kubevirt.io/vm-in-new-ns\n",
    );
  });

  it("kubectl create namespace NAME sends protobuf, which the twin refuses plainly (415); create -f sends JSON", async () => {
    const generated = await kubectl.run("create", "namespace", "from-generator");
    expect(generated.code).toBe(1);
    expect(generated.stderr).toMatch(/UnsupportedMediaType.*got application\/vnd\.kubernetes\.protobuf/);
    const file = await manifest("create", namespaceObject("from-file"));
    expect(await kubectl.ok("create", "-f", file)).toMatch(/namespace\/from-file created/);
  });

  it("creates nothing with --dry-run=server", async () => {
    const file = await manifest("dry", vmObject("dry-run-vm", NS));
    expect(await kubectl.ok("apply", "-f", file, "--dry-run=server")).toBe(
      "virtualmachine.kubevirt.io/dry-run-vm created (server dry run)\n",
    );
    expect((await kubectl.run("get", "vm", "dry-run-vm", "-n", NS)).code).toBe(1);
  });
});

describe("kubectl patch", () => {
  beforeAll(() => {
    seed(
      twin,
      nodeObject("node-patch", "10.0.0.30"),
      vmObject("vm-patch", NS),
      vmiObject("vmi-status", NS),
      podObject("pod-patch", NS, (pod) => {
        pod.spec!.containers = [
          { name: "main", image: "registry.k8s.io/pause:3.10" },
          { name: "sidecar", image: "registry.k8s.io/pause:3.9" },
        ];
      }),
    );
  });

  const patches = [
    {
      args: ["patch", "vm", "vm-patch", "-n", NS, "--type", "merge", "-p", '{"spec":{"runStrategy":"Halted"}}'],
      read: ["get", "vm", "vm-patch", "-n", NS, "-o", "jsonpath={.spec.runStrategy}"],
      expected: "Halted",
    },
    {
      args: [
        "patch",
        "node",
        "node-patch",
        "--type",
        "json",
        "-p",
        '[{"op":"add","path":"/metadata/labels/rack","value":"r7"}]',
      ],
      read: ["get", "node", "node-patch", "-o", "jsonpath={.metadata.labels.rack}"],
      expected: "r7",
    },
    {
      // No --type: a strategic merge patch, which merges the containers by name.
      args: [
        "patch",
        "pod",
        "pod-patch",
        "-n",
        NS,
        "-p",
        '{"spec":{"containers":[{"name":"sidecar","image":"registry.k8s.io/pause:3.10"}]}}',
      ],
      read: ["get", "pod", "pod-patch", "-n", NS, "-o", "jsonpath={range .spec.containers[*]}{.name}={.image} {end}"],
      expected: "main=registry.k8s.io/pause:3.10 sidecar=registry.k8s.io/pause:3.10 ",
    },
    {
      args: patchStatus("vmi", "vmi-status", { phase: "Scheduling" }),
      read: ["get", "vmi", "vmi-status", "-n", NS, "-o", "jsonpath={.status.phase}"],
      expected: "Scheduling",
    },
  ];

  it.each(titled(patches))("kubectl $command patches it", async ({ args, read, expected }) => {
    expect(await kubectl.ok(...args)).toMatch(/ patched\n$/);
    expect(await kubectl.ok(...read)).toBe(expected);
  });

  it("kubectl patch without --type refuses a custom resource (strategic merge patch: 415)", async () => {
    const run = await kubectl.run("patch", "vm", "vm-patch", "-n", NS, "-p", '{"metadata":{"labels":{"a":"b"}}}');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/application\/strategic-merge-patch\+json is not supported/);
  });
});

describe("kubectl label and annotate", () => {
  const labels = async (): Promise<unknown> =>
    JSON.parse(await kubectl.ok("get", "node", "node-label", "-o", "jsonpath={.metadata.labels}")) as unknown;
  const annotations = async (): Promise<unknown> =>
    JSON.parse(
      (await kubectl.ok("get", "pod", "pod-annotate", "-n", NS, "-o", "jsonpath={.metadata.annotations}")) || "{}",
    ) as unknown;

  beforeAll(() => {
    seed(
      twin,
      nodeObject("node-label", "10.0.0.31", (node) => (node.metadata.labels = { zone: "c" })),
      podObject("pod-annotate", NS),
    );
  });

  const labelling = [
    { args: ["rack=r1"], code: 0, output: /node\/node-label labeled/, after: { zone: "c", rack: "r1" } },
    {
      args: ["rack=r2"],
      code: 1,
      output: /'rack' already has a value \(r1\), and --overwrite is false/,
      after: { zone: "c", rack: "r1" },
    },
    { args: ["rack=r2", "--overwrite"], code: 0, output: /node\/node-label labeled/, after: { zone: "c", rack: "r2" } },
    { args: ["rack-"], code: 0, output: /node\/node-label unlabeled/, after: { zone: "c" } },
  ].map((row) => ({
    ...row,
    args: ["label", "node", "node-label", ...row.args],
    result: row.code ? "fails" : "succeeds",
  }));

  it.each(titled(labelling))("kubectl $command $result", async ({ args, code, output, after }) => {
    const run = await kubectl.run(...args);
    expect(outcome(run)).toMatchObject({ code, output: expect.stringMatching(output) as unknown });
    expect(await labels()).toEqual(after);
  });

  const annotating = [
    { args: ["note=hello"], code: 0, output: /pod\/pod-annotate annotated/, after: { note: "hello" } },
    { args: ["note=bye"], code: 1, output: /--overwrite is false/, after: { note: "hello" } },
    { args: ["note=bye", "--overwrite"], code: 0, output: /pod\/pod-annotate annotated/, after: { note: "bye" } },
    { args: ["note-"], code: 0, output: /pod\/pod-annotate annotated/, after: {} },
  ].map((row) => ({
    ...row,
    args: ["annotate", "pod", "pod-annotate", "-n", NS, ...row.args],
    result: row.code ? "fails" : "succeeds",
  }));

  it.each(titled(annotating))("kubectl $command $result", async ({ args, code, output, after }) => {
    const run = await kubectl.run(...args);
    expect(outcome(run)).toMatchObject({ code, output: expect.stringMatching(output) as unknown });
    expect(await annotations()).toEqual(after);
  });
});

describe("kubectl cordon and uncordon", () => {
  it("marks the node unschedulable, then schedulable again", async () => {
    seed(twin, nodeObject("node-cordon", "10.0.0.32"));
    const status = async (): Promise<string | undefined> =>
      parseTable(await kubectl.ok("get", "node", "node-cordon")).rows[0]?.STATUS;

    expect(await kubectl.ok("cordon", "node-cordon")).toBe("node/node-cordon cordoned\n");
    expect(await kubectl.ok("get", "node", "node-cordon", "-o", "jsonpath={.spec.unschedulable}")).toBe("true");
    expect(await status()).toBe("Ready,SchedulingDisabled");

    expect(await kubectl.ok("uncordon", "node-cordon")).toBe("node/node-cordon uncordoned\n");
    expect(await status()).toBe("Ready");
  });
});

describe("kubectl delete", () => {
  beforeAll(() => {
    seed(
      twin,
      runningPod("bound-1", NS, "node-1", "10.1.0.11"),
      runningPod("bound-2", NS, "node-1", "10.1.0.12"),
      vmObject("vm-delete", NS),
    );
  });

  it("--wait=false leaves a bound pod Terminating until its kubelet is done", async () => {
    expect(await kubectl.ok("delete", "pod", "bound-1", "-n", NS, "--wait=false")).toBe('pod "bound-1" deleted\n');
    const row = parseTable(await kubectl.ok("get", "pod", "bound-1", "-n", NS)).rows[0];
    expect(row).toMatchObject({ NAME: "bound-1", STATUS: "Terminating" });
  });

  it("--grace-period=0 --force removes a bound pod at once", async () => {
    const run = await kubectl.run("delete", "pod", "bound-2", "-n", NS, "--grace-period=0", "--force");
    expect(outcome(run)).toMatchObject({
      code: 0,
      output: expect.stringContaining('pod "bound-2" force deleted') as unknown,
    });
    expect((await kubectl.run("get", "pod", "bound-2", "-n", NS)).stderr).toMatch(/NotFound/);
  });

  it("deletes a custom resource and waits for it to go", async () => {
    expect(await kubectl.ok("delete", "vm", "vm-delete", "-n", NS)).toBe(
      'virtualmachine.kubevirt.io "vm-delete" deleted\n',
    );
    expect((await kubectl.run("get", "vm", "vm-delete", "-n", NS)).code).toBe(1);
  });
});

describe("kubectl wait", () => {
  /** Starts `kubectl wait`, and returns once it has listed the object (its log says so) and watches. */
  async function waiting(...args: string[]): Promise<RunningKubectl> {
    const wait = kubectl.start("wait", ...args, "-n", NS, "--timeout=20s", "-v=6");
    await wait.output(/Caches populated/, "stderr");
    return wait;
  }

  it("--for=jsonpath returns once the field has the value", async () => {
    seed(twin, vmiObject("vmi-wait", NS));
    const wait = await waiting("vmi/vmi-wait", "--for=jsonpath={.status.phase}=Running");
    await kubectl.ok(...patchStatus("vmi", "vmi-wait", { phase: "Running" }));
    const run = await wait.finished();
    expect(run).toMatchObject({ code: 0, stdout: "virtualmachineinstance.kubevirt.io/vmi-wait condition met\n" });
  });

  it("--for=delete returns once the object is gone", async () => {
    seed(twin, vmObject("vm-wait-delete", NS));
    const wait = await waiting("vm/vm-wait-delete", "--for=delete");
    await kubectl.ok("delete", "vm", "vm-wait-delete", "-n", NS, "--wait=false");
    const run = await wait.finished();
    expect(run).toMatchObject({ code: 0, stdout: "virtualmachine.kubevirt.io/vm-wait-delete condition met\n" });
  });

  // kubectl wait lists the VMI, finds the condition met, then opens a watch that has nothing to send:
  // it returns only once that watch answers, which a real API server does at once. The 4 s bound
  // (the twin's first bookmark comes at 5 s) leaves kubectl ample time on a loaded machine.
  it("--for=jsonpath returns at once when the field already has the value", async () => {
    const started = performance.now();
    const run = await kubectl.run("wait", "vmi/vm-1", "-n", NS, "--for=jsonpath={.status.phase}=Running");
    expect(outcome(run)).toEqual({ code: 0, output: "virtualmachineinstance.kubevirt.io/vm-1 condition met\n" });
    expect(performance.now() - started).toBeLessThan(4_000);
  });
});

describe("kubectl get -w", () => {
  it("prints a line for each change until it is stopped", async () => {
    seed(
      twin,
      vmiObject("vmi-watched", NS, (vmi) => (vmi.status = { phase: "Scheduling" })),
    );
    const watch = kubectl.start("get", "vmi", "vmi-watched", "-n", NS, "-w", "--output-watch-events");
    await watch.output(/ADDED\s+vmi-watched\s.*Scheduling/);
    // This change may come before kubectl's watch is open, and reach it in the replay from the list's
    // resourceVersion, where the twin calls every change ADDED (see the contract suite's replay test).
    await kubectl.ok(...patchStatus("vmi", "vmi-watched", { phase: "Scheduled", nodeName: "node-2" }));
    await watch.output(/\s+vmi-watched\s.*Scheduled\s.*node-2/);
    // This one comes once the watch has answered: a plain MODIFIED.
    await kubectl.ok(...patchStatus("vmi", "vmi-watched", { phase: "Running" }));
    await watch.output(/MODIFIED\s+vmi-watched\s.*Running\s.*node-2/);
    const run = await watch.stop();
    const lines = parseTable(run.stdout).rows.map((row) => [row.EVENT, row.PHASE]);
    expect(lines).toEqual([
      ["ADDED", "Scheduling"],
      [expect.stringMatching(/^(ADDED|MODIFIED)$/), "Scheduled"],
      ["MODIFIED", "Running"],
    ]);
  });
});

/**
 * On a twin of its own, whose clock runs while kubectl waits: `top` needs metrics.k8s.io to serve
 * NodeMetrics for each host, `drain` needs a simulated kubelet to finish each graceful pod deletion.
 */
describe("kubectl with the simulated controllers", () => {
  let live: Twin;
  let liveKubectl: Kubectl;

  beforeAll(async () => {
    live = Twin.create({ seed: 5, start: START });
    await live.listen(0);
    liveKubectl = await Kubectl.forTwin(live);
    seedHost(live, "host-1", "10.2.0.1");
    seedHost(live, "host-2", "10.2.0.2");
    const onHost1 = (pod: KubeObject): void => void (pod.spec!.nodeName = "host-1");
    seed(live, namespaceObject(NS), podObject("drain-a", NS, onHost1), podObject("drain-b", NS, onHost1));
    live.advance(60_000);
  });

  afterAll(async () => {
    await liveKubectl?.close();
    await live?.stop();
  });

  it("kubectl top node prints each host's CPU and memory", async () => {
    const table = parseTable(await liveKubectl.ok("top", "node"));
    expect(table.header).toEqual(["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]);
    expect(table.rows.map((row) => row.NAME)).toEqual(["host-1", "host-2"]);
    for (const row of table.rows) {
      expect(row).toMatchObject({
        "CPU(cores)": expect.stringMatching(/^\d+m$/) as unknown,
        "CPU(%)": expect.stringMatching(/^\d+%$/) as unknown,
        "MEMORY(bytes)": expect.stringMatching(/^\d+Mi$/) as unknown,
        "MEMORY(%)": expect.stringMatching(/^\d+%$/) as unknown,
      });
    }
  });

  it("kubectl drain cordons the node and evicts its pods", async () => {
    const drain = liveKubectl.run(
      "drain",
      "host-1",
      "--ignore-daemonsets",
      "--delete-emptydir-data",
      "--force",
      "--timeout=60s",
    );
    const run = await whileTimeRuns(live, drain);
    expect(outcome(run)).toMatchObject({ code: 0 });
    for (const line of [
      "node/host-1 cordoned",
      "evicting pod e2e/drain-a",
      "evicting pod e2e/drain-b",
      "node/host-1 drained",
    ]) {
      expect(run.stdout + run.stderr).toContain(line);
    }
    expect(await liveKubectl.ok("get", "pods", "-A", "--field-selector", "spec.nodeName=host-1", "-o", "name")).toBe(
      "",
    );
    expect(await liveKubectl.ok("get", "node", "host-1", "-o", "jsonpath={.spec.unschedulable}")).toBe("true");
  });
});
