import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/twin/api/types.ts";
import { parseKubeVirtConfig } from "../../../src/twin/kubevirt/config.ts";
import { renderLauncherPod } from "../../../src/twin/kubevirt/launcher-pod.ts";
import { memoryOverheadOf } from "../../../src/twin/kubevirt/launcher-resources.ts";
import { applyVmiDefaults } from "../../../src/twin/kubevirt/vmi-defaults.ts";
import { at, listAt, recordIn } from "../support/kubevirt-fixture.ts";

const Mi = 2 ** 20;
const Gi = 2 ** 30;
/** virt-launcher-monitor, virt-launcher, virtlogd, virtqemud and qemu: 25 + 100 + 25 + 40 + 50 MiB. */
const PROCESSES = 240 * Mi;
const IO_THREAD = 8 * Mi;
const VIDEO = 32 * Mi;

/** A VMI as the VM controller creates it, defaulted by the mutating webhook; `apply` changes the spec first. */
function buildVmi(apply?: (vmi: KubeObject) => void, configuration?: Record<string, unknown>): KubeObject {
  const vmi: KubeObject = {
    metadata: {
      name: "web",
      namespace: "vms",
      uid: "vmi-uid-1",
      labels: { app: "web" },
      annotations: { "example.com/owner": "team-a", "twin.kubedrs.io/initial-node": "node-b" },
    },
    spec: {
      domain: {
        cpu: { cores: 2 },
        memory: { guest: "4Gi" },
        devices: { interfaces: [{ name: "default", masquerade: {} }] },
      },
      networks: [{ name: "default", pod: {} }],
    },
  };
  apply?.(vmi);
  applyVmiDefaults(
    vmi,
    parseKubeVirtConfig(configuration && { spec: { configuration }, metadata: {} }),
    "2026-03-02T08:00:00Z",
  );
  return vmi;
}

function render(vmi: KubeObject, configuration?: Record<string, unknown>, initialPlacement = true): KubeObject {
  const kubevirt = configuration && { metadata: {}, spec: { configuration } };
  return renderLauncherPod(vmi, parseKubeVirtConfig(kubevirt), { initialPlacement });
}

function domain(vmi: KubeObject): Record<string, unknown> {
  return recordIn((vmi.spec ??= {}), "domain");
}

function compute(pod: KubeObject): { requests: Record<string, string>; limits?: Record<string, string> } {
  return at(pod, "spec", "containers", 0, "resources") as {
    requests: Record<string, string>;
    limits?: Record<string, string>;
  };
}

describe("the virt-launcher pod", () => {
  it("carries the VMI's labels and KubeVirt's, its annotations, its owner and the padded grace period", () => {
    const pod = render(buildVmi());
    expect(pod.metadata).toMatchObject({
      generateName: "virt-launcher-web-",
      labels: {
        app: "web",
        "kubevirt.io": "virt-launcher",
        "kubevirt.io/created-by": "vmi-uid-1",
        "vm.kubevirt.io/name": "web",
        "vmi.kubevirt.io/id": "web",
      },
      annotations: {
        "kubevirt.io/domain": "web",
        "example.com/owner": "team-a",
        "twin.kubedrs.io/initial-node": "node-b",
        "kubectl.kubernetes.io/default-container": "compute",
      },
      ownerReferences: [{ kind: "VirtualMachineInstance", name: "web", uid: "vmi-uid-1", controller: true }],
    });
    expect(pod.spec).toMatchObject({ terminationGracePeriodSeconds: 60, restartPolicy: "Never" });
  });

  it("copies the initial-node annotation only to the VMI's first pod", () => {
    const pod = render(buildVmi(), undefined, false);
    expect(pod.metadata.annotations).not.toHaveProperty("twin.kubedrs.io/initial-node");
  });

  it("names the pod's VM after spec.hostname when set, else the VMI name up to the first dot", () => {
    expect(render(buildVmi((vmi) => (vmi.metadata.name = "db.prod"))).metadata.labels).toMatchObject({
      "vm.kubevirt.io/name": "db",
      "vmi.kubevirt.io/id": "db.prod",
    });
    const named = buildVmi((vmi) => ((vmi.spec ??= {}).hostname = "database"));
    expect(render(named).metadata.labels?.["vm.kubevirt.io/name"]).toBe("database");
  });

  it("hashes a VMI name too long for a label into vmi.kubevirt.io/id, as KubeVirt does (SHA-1)", () => {
    const long = "a".repeat(70);
    const pod = render(buildVmi((vmi) => (vmi.metadata.name = long)));
    expect(pod.metadata.labels?.["vmi.kubevirt.io/id"]).toBe(`${"a".repeat(54)}-ed6c69d9`);
  });

  it.each([
    {
      name: "host-model (the default): no CPU selector, obsolete host models excluded by affinity",
      cpu: { cores: 2 },
      selector: { "kubevirt.io/schedulable": "true", "kubernetes.io/arch": "amd64" },
      expressions: [{ key: "node-labeller.kubevirt.io/obsolete-host-model", operator: "DoesNotExist" }],
    },
    {
      name: "a named model with required and forbidden features",
      cpu: {
        cores: 2,
        model: "Cascadelake-Server",
        features: [{ name: "invtsc", policy: "require" }, { name: "pcid" }, { name: "hle", policy: "forbid" }],
      },
      selector: {
        "kubevirt.io/schedulable": "true",
        "kubernetes.io/arch": "amd64",
        "cpu-model.node.kubevirt.io/Cascadelake-Server": "true",
        "cpu-feature.node.kubevirt.io/invtsc": "true",
        "cpu-feature.node.kubevirt.io/pcid": "true",
      },
      expressions: [{ key: "cpu-feature.node.kubevirt.io/hle", operator: "DoesNotExist" }],
    },
    {
      name: "host-passthrough: no CPU selector and no obsolete-model affinity",
      cpu: { cores: 2, model: "host-passthrough" },
      selector: { "kubevirt.io/schedulable": "true", "kubernetes.io/arch": "amd64" },
      expressions: undefined,
    },
    {
      name: "dedicated CPUs need the CPU manager",
      cpu: { cores: 2, dedicatedCpuPlacement: true },
      selector: { "kubevirt.io/schedulable": "true", "kubernetes.io/arch": "amd64", "kubevirt.io/cpumanager": "true" },
      expressions: [{ key: "node-labeller.kubevirt.io/obsolete-host-model", operator: "DoesNotExist" }],
    },
  ])("selects nodes for $name", ({ cpu, selector, expressions }) => {
    const pod = render(buildVmi((vmi) => (domain(vmi).cpu = cpu)));
    expect(pod.spec?.nodeSelector).toEqual(selector);
    const terms = listAt(
      pod,
      "spec",
      "affinity",
      "nodeAffinity",
      "requiredDuringSchedulingIgnoredDuringExecution",
      "nodeSelectorTerms",
    );
    expect(at(terms, 0, "matchExpressions")).toEqual(expressions);
  });

  it("adds the cluster-wide selectors, lets the VMI's own win, and keeps the VMI's affinity and tolerations", () => {
    const vmi = buildVmi((object) => {
      const spec = object.spec as Record<string, unknown>;
      spec.nodeSelector = { pool: "fast", zone: "a" };
      spec.tolerations = [{ key: "dedicated", operator: "Exists" }];
      spec.priorityClassName = "vm-critical";
      spec.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "rack", operator: "In", values: ["r1"] }] }],
          },
        },
      };
    });
    const pod = render(vmi, { developerConfiguration: { nodeSelectors: { zone: "b", storage: "ssd" } } });
    expect(pod.spec?.nodeSelector).toMatchObject({ pool: "fast", zone: "a", storage: "ssd" });
    expect(pod.spec).toMatchObject({ tolerations: [{ key: "dedicated" }], priorityClassName: "vm-critical" });
    const term = at(
      pod,
      "spec",
      "affinity",
      "nodeAffinity",
      "requiredDuringSchedulingIgnoredDuringExecution",
      "nodeSelectorTerms",
      0,
    );
    expect(at(term, "matchExpressions")).toEqual([
      { key: "rack", operator: "In", values: ["r1"] },
      { key: "node-labeller.kubevirt.io/obsolete-host-model", operator: "DoesNotExist" },
    ]);
  });
});

describe("the compute container's resources", () => {
  it("requests the guest memory plus KubeVirt's overhead and a tenth of a core per vCPU", () => {
    const vmi = buildVmi((object) => (domain(object).cpu = { cores: 4 }));
    const overhead = PROCESSES + 4 * 8 * Mi + IO_THREAD + VIDEO;
    expect(memoryOverheadOf(vmi)).toBe(overhead);
    expect(compute(render(vmi))).toEqual({ requests: { cpu: "400m", memory: String(4 * Gi + overhead) } });
  });

  it("counts the page tables of a memory request (1/512) and keeps the VMI's CPU request", () => {
    const vmi = buildVmi((object) => {
      domain(object).resources = { requests: { cpu: "1500m", memory: "8Gi" } };
      domain(object).memory = {};
    });
    const pageTables = Math.floor((Math.ceil((8 * Gi) / 1000) * 1000) / 512);
    const overhead = pageTables + PROCESSES + 2 * 8 * Mi + IO_THREAD + VIDEO;
    expect(compute(render(vmi)).requests).toEqual({ cpu: "1500m", memory: String(8 * Gi + overhead) });
  });

  it("honours the CPU allocation ratio and the memory overcommit of the KubeVirt CR", () => {
    const configuration = { developerConfiguration: { cpuAllocationRatio: 4, memoryOvercommit: 200 } };
    const vmi = buildVmi(undefined, configuration);
    const overhead = PROCESSES + 2 * 8 * Mi + IO_THREAD + VIDEO;
    expect(compute(render(vmi, configuration)).requests).toEqual({ cpu: "500m", memory: String(2 * Gi + overhead) });
  });

  it("gives dedicated CPUs whole cores, limits equal to requests and Guaranteed QoS", () => {
    const vmi = buildVmi((object) => (domain(object).cpu = { cores: 4, dedicatedCpuPlacement: true }));
    const overhead = PROCESSES + 4 * 8 * Mi + IO_THREAD + VIDEO + 100 * Mi;
    const memory = String(4 * Gi + overhead);
    const pod = render(vmi);
    expect(compute(pod)).toEqual({ requests: { cpu: "4", memory }, limits: { cpu: "4", memory } });
    expect(pod.status).toMatchObject({ qosClass: "Guaranteed" });
  });

  it("puts the guest in huge pages and only the overhead in regular memory", () => {
    const vmi = buildVmi((object) => (domain(object).memory = { guest: "8Gi", hugepages: { pageSize: "1Gi" } }));
    const overhead = PROCESSES + 2 * 8 * Mi + IO_THREAD + VIDEO;
    expect(compute(render(vmi))).toEqual({
      requests: { cpu: "200m", memory: String(overhead), "hugepages-1Gi": String(8 * Gi) },
      limits: { "hugepages-1Gi": String(8 * Gi) },
    });
  });

  it("requests each GPU and host device by its resource name, with 1 GiB more for VFIO", () => {
    const vmi = buildVmi((object) => {
      const devices = recordIn(domain(object), "devices");
      devices.gpus = [{ name: "gpu1", deviceName: "nvidia.com/A100" }];
      devices.hostDevices = [{ name: "nic", deviceName: "intel.com/qat" }];
    });
    const overhead = PROCESSES + 2 * 8 * Mi + IO_THREAD + VIDEO + Gi;
    expect(compute(render(vmi))).toEqual({
      requests: { cpu: "200m", memory: String(4 * Gi + overhead), "nvidia.com/A100": "1", "intel.com/qat": "1" },
      limits: { "nvidia.com/A100": "1", "intel.com/qat": "1" },
    });
  });
});

describe("the VMI mutating webhook's defaults", () => {
  it("fills in the CPU model, topology from the CPU request, guest memory and the cluster eviction strategy", () => {
    const vmi = buildVmi(
      (object) => {
        domain(object).cpu = undefined;
        domain(object).memory = undefined;
        domain(object).resources = { requests: { cpu: "3", memory: "2Gi" } };
      },
      { evictionStrategy: "LiveMigrate", cpuModel: "Skylake-Server-IBRS" },
    );
    expect(domain(vmi)).toMatchObject({
      cpu: { model: "Skylake-Server-IBRS", sockets: 3, cores: 1, threads: 1 },
      memory: { guest: "2Gi" },
    });
    expect(vmi.spec).toMatchObject({ evictionStrategy: "LiveMigrate", architecture: "amd64" });
    expect(vmi.status).toMatchObject({ phase: "Pending" });
    expect(vmi.metadata.finalizers).toContain("kubevirt.io/foregroundDeleteVirtualMachine");
  });

  it("attaches the pod network with the cluster's default binding when the VMI has no interfaces", () => {
    const bridge = buildVmi((object) => {
      delete domain(object).devices;
      delete (object.spec as Record<string, unknown>).networks;
    });
    expect(at(domain(bridge), "devices", "interfaces")).toEqual([{ name: "default", bridge: {} }]);
    const masquerade = buildVmi(
      (object) => {
        delete domain(object).devices;
        delete (object.spec as Record<string, unknown>).networks;
      },
      { network: { defaultNetworkInterface: "masquerade" } },
    );
    expect(at(domain(masquerade), "devices", "interfaces")).toEqual([{ name: "default", masquerade: {} }]);
  });
});
