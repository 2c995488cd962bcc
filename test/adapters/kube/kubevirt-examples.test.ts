// The converters against KubeVirt's own manifests (kubevirt/kubevirt examples and API fixtures), read
// from the shared folder next to the repository. Without that folder the suite is skipped, not failed.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  kubevirtFromKube,
  migrationFromKube,
  migrationPolicyFromKube,
  snapshotFromObjects,
  vmFromKube,
} from "../../../src/adapters/kube/convert/index.ts";
import { buildClusterModel } from "../../../src/core/model/cluster.ts";
import {
  type Apply,
  buildNode,
  buildPvc,
  expectClean,
  expectLeftOut,
  type KubeJson,
  MiB,
  roundTrip,
  TAKEN_AT,
} from "./builders.ts";

const repoRoot = resolve(import.meta.dirname, "../../..");
const examplesDir = resolve(repoRoot, "../shared/kubevirt-examples");

function example(file: string, apply?: Apply): KubeJson {
  const object = parse(readFileSync(resolve(examplesDir, file), "utf8")) as KubeJson;
  apply?.(object);
  return object;
}

/** What KubeVirt adds once a VMI runs; the examples are specs only. */
const runningOnNodeA: Apply = (vmi) => {
  vmi.metadata.namespace = "default";
  vmi.metadata.uid = `uid-${String(vmi.metadata.name)}`;
  vmi.status = {
    nodeName: "node-a",
    phase: "Running",
    conditions: [{ type: "LiveMigratable", status: "True" }],
  };
};

/** The VMI the VM controller would create from a VM's template, running on node-a. */
function vmiFromTemplate(vm: KubeJson): KubeJson {
  const vmi: KubeJson = {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: {
      name: vm.metadata.name,
      labels: vm.spec.template.metadata?.labels,
      ownerReferences: [
        { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: vm.metadata.name, uid: "vm-uid" },
      ],
    },
    spec: vm.spec.template.spec,
  };
  runningOnNodeA(vmi);
  return vmi;
}

/** The field paths named by "... left out: [Kind ns/name ]<path>: <problem>" warnings. */
function fieldsNamed(warnings: readonly string[]): string[] {
  return warnings.map((warning) => /left out: (?:[A-Z]\w* \S+ )?([^\s:]+):/.exec(warning)?.[1] ?? warning);
}

describe.skipIf(!existsSync(examplesDir))("KubeVirt's example manifests", () => {
  describe("vmi-migratable.yaml", () => {
    it("is left out as it stands: a bare spec has no namespace and no node", () => {
      expect(fieldsNamed(expectLeftOut(vmFromKube(example("vmi-migratable.yaml"))))).toEqual([
        "metadata.namespace",
        "status.nodeName",
      ]);
      const { snapshot, warnings } = snapshotFromObjects({
        takenAt: TAKEN_AT,
        vmis: [example("vmi-migratable.yaml")],
      });
      expect(snapshot.vms).toEqual([]);
      expect(warnings).toEqual([
        "VirtualMachineInstance vmi-migratable is not placed on a node yet (phase unset); left out",
      ]);
    });

    it("converts once running: guest memory doubles as the memory request", () => {
      const vm = expectClean(vmFromKube(example("vmi-migratable.yaml", runningOnNodeA)));
      expect(vm).toMatchObject({
        namespace: "default",
        name: "vmi-migratable",
        node: "node-a",
        phase: "Running",
        labels: { special: "vmi-migratable" },
        requests: { memory: 128 * MiB },
        guestMemory: 128 * MiB,
        cpu: { vcpus: 1, model: "", dedicated: false },
        liveMigratable: { status: "True" },
        volumes: [{ name: "containerdisk", source: "containerDisk" }],
        sriovNetworks: [],
      });
      expect(vm).not.toHaveProperty("owner");
    });
  });

  it("vmi-fedora.yaml: decimal guest memory, container disk and cloud-init", () => {
    const vm = expectClean(vmFromKube(example("vmi-fedora.yaml", runningOnNodeA)));
    expect(vm.guestMemory).toBe(1024e6);
    expect(vm.requests).toStrictEqual({ memory: 1024e6 });
    expect(vm.volumes).toStrictEqual([
      { name: "containerdisk", source: "containerDisk" },
      { name: "cloudinitdisk", source: "cloudInitNoCloud" },
    ]);
  });

  it("vmi-fedora-isolated.yaml: dedicated CPUs plus an emulator thread take two pinned CPUs", () => {
    const vmi = example("vmi-fedora-isolated.yaml", runningOnNodeA);
    const vm = expectClean(vmFromKube(vmi));
    expect(vm.cpu).toMatchObject({ vcpus: 1, dedicated: true, isolateEmulatorThread: true, numaPassthrough: false });
    const { snapshot, warnings } = snapshotFromObjects({
      takenAt: TAKEN_AT,
      nodes: [buildNode("node-a")],
      vmis: [vmi],
    });
    expect(warnings).toEqual([]);
    expect(buildClusterModel(snapshot).vms[0]?.numaDemand).toStrictEqual({ cpus: 2, pageSize: undefined, pages: 0 });
  });

  it("vm-cirros.yaml: runStrategy Halted, and a halted VM alone adds nothing to a snapshot", () => {
    const vm = example("vm-cirros.yaml");
    const converted = expectClean(vmFromKube(vmiFromTemplate(vm), { vm }));
    expect(converted).toMatchObject({
      owner: "vm-cirros",
      runStrategy: "Halted",
      labels: { "kubevirt.io/vm": "vm-cirros" },
    });
    expect(snapshotFromObjects({ takenAt: TAKEN_AT, vms: [vm] })).toMatchObject({
      snapshot: { vms: [] },
      warnings: [],
    });
  });

  describe("vm-alpine-datavolume.yaml", () => {
    it("takes the claim's access mode from the DataVolume template when nothing else says", () => {
      const vm = example("vm-alpine-datavolume.yaml");
      expect(expectClean(vmFromKube(vmiFromTemplate(vm), { vm })).volumes).toStrictEqual([
        { name: "datavolumedisk1", source: "dataVolume", claimName: "alpine-dv", accessModes: ["ReadWriteOnce"] },
      ]);
    });

    it("prefers the PVC CDI created", () => {
      const vm = example("vm-alpine-datavolume.yaml");
      const pvc = buildPvc("alpine-dv", (p) => {
        p.metadata.namespace = "default";
        p.spec.volumeMode = "Block";
      });
      expect(expectClean(vmFromKube(vmiFromTemplate(vm), { vm, pvcs: [pvc] })).volumes[0]).toMatchObject({
        accessModes: ["ReadWriteMany"],
        volumeMode: "Block",
      });
    });
  });

  it("vm-priorityclass.yaml: priority class from the template", () => {
    const vm = example("vm-priorityclass.yaml");
    expect(expectClean(vmFromKube(vmiFromTemplate(vm), { vm }))).toMatchObject({
      name: "vm-non-preemtible",
      priorityClassName: "non-preemtible",
      runStrategy: "Halted",
    });
  });

  describe("migration-job.yaml", () => {
    it("is left out as it stands: the API server has not named its namespace or creation time", () => {
      expect(fieldsNamed(expectLeftOut(migrationFromKube(example("migration-job.yaml"))))).toEqual([
        "metadata.namespace",
        "metadata.creationTimestamp",
      ]);
    });

    it("converts once created, with phase unset", () => {
      const vmim = example("migration-job.yaml", (m) => {
        m.metadata.namespace = "default";
        m.metadata.creationTimestamp = "2026-09-01T11:58:00Z";
      });
      expect(expectClean(migrationFromKube(vmim))).toStrictEqual({
        namespace: "default",
        name: "migration-job",
        vm: "vmi-migratable",
        phase: "",
        createdAt: "2026-09-01T11:58:00Z",
        byKubedrs: false,
      });
    });
  });

  it("example-migration-policy.yaml: 2000Mi per second and both selectors", () => {
    expect(expectClean(migrationPolicyFromKube(example("example-migration-policy.yaml")))).toStrictEqual({
      name: "example-migration-policy",
      labels: {},
      selectors: {
        namespaceSelector: { "namespace-key": "namespace-value" },
        virtualMachineInstanceSelector: { "vmi-key": "vmi-value" },
      },
      allowAutoConverge: false,
      allowPostCopy: false,
      bandwidthPerMigration: 2000 * MiB,
      completionTimeoutPerGiB: 123456789,
    });
  });

  describe("kubevirt.io.v1.VirtualMachineInstance.yaml (every field, placeholder values)", () => {
    it("is left out, with every placeholder enum and impossible value named", () => {
      const warnings = expectLeftOut(vmFromKube(example("kubevirt.io.v1.VirtualMachineInstance.yaml")));
      expect(warnings.every((w) => w.startsWith("VirtualMachineInstance namespaceValue/nameValue left out: "))).toBe(
        true,
      );
      const affinityTerms = [
        "nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]",
        "nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0]",
        "nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0]",
        "nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchFields[0]",
        ...["podAffinity", "podAntiAffinity"].flatMap((kind) =>
          [
            "requiredDuringSchedulingIgnoredDuringExecution[0]",
            "preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm",
          ].flatMap((term) => [
            `${kind}.${term}.labelSelector.matchExpressions[0]`,
            `${kind}.${term}.namespaceSelector.matchExpressions[0]`,
          ]),
        ),
      ];
      expect(fieldsNamed(warnings).sort()).toEqual(
        [
          "spec.evictionStrategy",
          "spec.domain.cpu",
          "spec.domain.cpu.features[0].policy",
          "spec.domain.memory.hugepages.pageSize",
          ...affinityTerms.map((term) => `spec.affinity.${term}.operator`),
          "spec.tolerations[0].operator",
          "spec.tolerations[0].effect",
          "status.volumeStatus[0].persistentVolumeClaimInfo.accessModes[0]",
          "status.volumeStatus[0].persistentVolumeClaimInfo.volumeMode",
        ].sort(),
      );
    });

    /** The fixture with its placeholder enums replaced by real values; everything else as shipped. */
    function plausibleVmi(): KubeJson {
      return example("kubevirt.io.v1.VirtualMachineInstance.yaml", (vmi) => {
        const operators = JSON.stringify(vmi.spec.affinity).replaceAll('"operatorValue"', '"In"');
        vmi.spec.affinity = JSON.parse(operators);
        vmi.spec.tolerations[0].operator = "Equal";
        vmi.spec.tolerations[0].effect = "NoSchedule";
        vmi.spec.evictionStrategy = "LiveMigrate";
        Object.assign(vmi.spec.domain.cpu, { sockets: 1, cores: 2, threads: 1 });
        vmi.spec.domain.cpu.features[0].policy = "";
        vmi.spec.domain.memory.hugepages.pageSize = "2Mi";
        vmi.status.volumeStatus[0].persistentVolumeClaimInfo.accessModes = ["ReadWriteMany"];
        vmi.status.volumeStatus[0].persistentVolumeClaimInfo.volumeMode = "Block";
      });
    }

    it("converts once the placeholder enums are real, mapping every field the snapshot models", () => {
      const vm = expectClean(vmFromKube(plausibleVmi()));
      const term = {
        labelSelector: {
          matchLabels: { matchLabelsKey: "matchLabelsValue" },
          matchExpressions: [{ key: "keyValue", operator: "In", values: ["valuesValue"] }],
        },
        namespaces: ["namespacesValue"],
        namespaceSelector: {
          matchLabels: { matchLabelsKey: "matchLabelsValue" },
          matchExpressions: [{ key: "keyValue", operator: "In", values: ["valuesValue"] }],
        },
        topologyKey: "topologyKeyValue",
      };
      expect(vm).toMatchObject({
        namespace: "namespaceValue",
        name: "nameValue",
        uid: "uidValue",
        node: "nodeNameValue",
        phase: "Pending",
        requests: { requestsKey: 0, memory: 0 },
        limits: { limitsKey: 0 },
        guestMemory: 0,
        cpu: {
          vcpus: 2,
          model: "modelValue",
          dedicated: true,
          isolateEmulatorThread: true,
          numaPassthrough: true,
          realtime: true,
          features: [{ name: "nameValue", policy: "require" }],
        },
        hugepages: { pageSize: "2Mi" },
        machineType: "typeValue",
        tscFrequency: -12,
        nodeSelector: { nodeSelectorKey: "nodeSelectorValue" },
        tolerations: [
          { key: "keyValue", operator: "Equal", value: "valueValue", effect: "NoSchedule", tolerationSeconds: 5 },
        ],
        priorityClassName: "priorityClassNameValue",
        evictionStrategy: "LiveMigrate",
        liveMigratable: { status: "Unknown" },
        volumes: [
          {
            name: "nameValue",
            source: "persistentVolumeClaim",
            claimName: "claimNameValue",
            accessModes: ["ReadWriteMany"],
            volumeMode: "Block",
          },
        ],
        hostDevices: [
          { name: "nameValue", deviceName: "deviceNameValue", kind: "gpu" },
          { name: "nameValue", deviceName: "deviceNameValue", kind: "hostDevice" },
        ],
        sriovNetworks: [{ name: "nameValue" }],
      });
      // Its only owner reference has kind "kindValue", not VirtualMachine.
      expect(vm).not.toHaveProperty("owner");
      expect(vm.affinity?.podAffinity).toStrictEqual({
        requiredDuringSchedulingIgnoredDuringExecution: [term],
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: term }],
      });
    });

    it("round-trips through a snapshot", () => {
      const { snapshot, warnings } = snapshotFromObjects({ takenAt: TAKEN_AT, vmis: [plausibleVmi()] });
      expect(warnings).toEqual([]);
      expect(snapshot.vms).toHaveLength(1);
      expect(roundTrip(snapshot)).toStrictEqual(snapshot);
    });

    it("is left out with kubevirt.io.v1.VirtualMachine.yaml as its VM, which sets both running and runStrategy", () => {
      const vm = example("kubevirt.io.v1.VirtualMachine.yaml");
      expect(expectLeftOut(vmFromKube(plausibleVmi(), { vm }))).toEqual([
        "VirtualMachineInstance namespaceValue/nameValue left out: VirtualMachine namespaceValue/nameValue spec.running: set together with spec.runStrategy; KubeVirt rejects that",
      ]);
    });
  });

  it("kubevirt.io.v1.KubeVirt.yaml: keeps what is plausible, falls back to defaults for the rest", () => {
    const { value, warnings } = kubevirtFromKube(example("kubevirt.io.v1.KubeVirt.yaml"));
    expect(value).toStrictEqual({
      migrations: {
        parallelMigrationsPerCluster: 4294967268,
        parallelOutboundMigrationsPerNode: 4294967263,
        bandwidthPerMigration: 0,
        completionTimeoutPerGiB: 150,
        progressTimeout: 150,
        allowAutoConverge: true,
        allowPostCopy: true,
        allowWorkloadDisruption: true,
        maxDowntimeMs: 900,
      },
      cpuModel: "cpuModelValue",
      obsoleteCpuModels: ["obsoleteCPUModelsKey"],
      evictionStrategy: "None",
      defaultMigrationBandwidth: 1.25e9,
    });
    expect(warnings).toEqual([
      "KubeVirt namespaceValue/nameValue: spec.configuration.migrations.completionTimeoutPerGiB: expected an integer ≥ 0, found -23; KubeVirt's default is used instead",
      "KubeVirt namespaceValue/nameValue: spec.configuration.migrations.progressTimeout: expected an integer ≥ 0, found -15; KubeVirt's default is used instead",
      "KubeVirt namespaceValue/nameValue: spec.configuration.migrations.maxDowntimeMs: expected an integer ≥ 1, found 18446744073709552000 (too large); KubeVirt's default is used instead",
      'KubeVirt namespaceValue/nameValue: spec.configuration.evictionStrategy: unknown value "evictionStrategyValue" (expected one of "None", "LiveMigrate", "LiveMigrateIfPossible", "External"); KubeVirt\'s default is used instead',
    ]);
  });
});
