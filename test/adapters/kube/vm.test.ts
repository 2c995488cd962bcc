import { describe, expect, it } from "vitest";
import { vmFromKube } from "../../../src/adapters/kube/convert/index.ts";
import type { SnapshotVm } from "../../../src/core/model/snapshot.ts";
import {
  type Apply,
  buildLauncherPod,
  buildPvc,
  buildVm,
  buildVmi,
  expectClean,
  expectLeftOut,
  GiB,
  type KubeJson,
  MiB,
} from "./builders.ts";

const withSpec =
  (change: (spec: KubeJson) => void): Apply =>
  (vmi) =>
    change(vmi.spec as KubeJson);

const withCpu =
  (cpu: KubeJson): Apply =>
  (vmi) => {
    vmi.spec.domain.cpu = cpu;
  };

describe("vmFromKube", () => {
  it("maps a running VMI without its pod or VM", () => {
    expect(expectClean(vmFromKube(buildVmi("web-1")))).toStrictEqual<SnapshotVm>({
      namespace: "shop",
      name: "web-1",
      uid: "uid-web-1",
      owner: "web-1",
      node: "node-a",
      phase: "Running",
      labels: { app: "web" },
      annotations: {},
      requests: { cpu: 500, memory: 4 * GiB },
      guestMemory: 4 * GiB,
      cpu: {
        vcpus: 2,
        model: "host-model",
        dedicated: false,
        isolateEmulatorThread: false,
        numaPassthrough: false,
        realtime: false,
        features: [],
      },
      machineType: "pc-q35-rhel9.4.0",
      nodeSelector: {},
      tolerations: [],
      liveMigratable: { status: "True" },
      volumes: [
        {
          name: "rootdisk",
          source: "dataVolume",
          claimName: "web-1-root",
          accessModes: ["ReadWriteMany"],
          volumeMode: "Block",
        },
      ],
      hostDevices: [],
      sriovNetworks: [],
    });
  });

  it.each([
    ["Running", "Running"],
    ["Scheduled", "Scheduled"],
    ["Unknown", "Unknown"],
    ["", "Pending"],
    [undefined, "Pending"],
    ["WaitingForSync", "Pending"],
  ])("maps phase %j to %s", (phase, expected) => {
    const vmi = buildVmi("web-1", (v) => {
      v.status.phase = phase;
    });
    expect(expectClean(vmFromKube(vmi)).phase).toBe(expected);
  });

  describe("resources", () => {
    it("takes requests and limits from the virt-launcher pod, as the scheduler counts them", () => {
      const vmi = buildVmi("web-1");
      const pod = buildLauncherPod(vmi, "node-a", (p) => {
        (p.spec.containers as KubeJson[]).push({
          name: "guest-console-log",
          resources: { requests: { cpu: "5m", memory: "35M" } },
        });
        p.spec.containers[0].resources.limits.cpu = "2";
        p.spec.initContainers = [
          { name: "container-disk-binary", resources: { requests: { cpu: "1", memory: "64M" } } },
          { name: "hook-sidecar", restartPolicy: "Always", resources: { requests: { cpu: "10m", memory: "10Mi" } } },
        ];
        p.spec.overhead = { memory: "8Mi" };
      });
      const converted = expectClean(vmFromKube(vmi, { pod }));
      expect(converted.requests).toStrictEqual({
        // The plain init container needs more CPU than everything that runs at once.
        cpu: 1000,
        memory: 4400 * MiB + 35e6 + 10 * MiB + 8 * MiB,
        "devices.kubevirt.io/kvm": 1,
      });
      expect(converted.limits).toStrictEqual({ cpu: 2000, "devices.kubevirt.io/kvm": 1 });
    });

    it.each<[string, Apply, Record<string, number>]>([
      ["keeps the VMI's own requests", () => undefined, { cpu: 500, memory: 4 * GiB }],
      [
        "defaults the memory request to the guest memory",
        (v) => delete v.spec.domain.resources.requests.memory,
        { cpu: 500, memory: 4 * GiB },
      ],
      ["defaults it even without a requests block", (v) => delete v.spec.domain.resources, { memory: 4 * GiB }],
    ])("without a pod, %s", (_case, apply, expected) => {
      expect(expectClean(vmFromKube(buildVmi("web-1", apply))).requests).toStrictEqual(expected);
    });

    it("takes limits from the VMI when no pod is given", () => {
      const vmi = buildVmi("web-1", (v) => {
        v.spec.domain.resources.limits = { cpu: "2", memory: "4Gi" };
      });
      expect(expectClean(vmFromKube(vmi)).limits).toStrictEqual({ cpu: 2000, memory: 4 * GiB });
    });

    it.each<[string, Apply, number | undefined]>([
      ["the guest size", () => undefined, 4 * GiB],
      [
        "the memory request when no guest size is set",
        (v) => {
          delete v.spec.domain.memory;
          v.spec.domain.resources.requests.memory = "3Gi";
        },
        3 * GiB,
      ],
      [
        "what the guest has now, as a last resort",
        (v) => {
          delete v.spec.domain.memory;
          delete v.spec.domain.resources;
          v.status.memory = { guestCurrent: "2Gi" };
        },
        2 * GiB,
      ],
      [
        "nothing when nothing says",
        (v) => {
          delete v.spec.domain.memory;
          delete v.spec.domain.resources;
        },
        undefined,
      ],
    ])("guest memory is %s", (_case, apply, expected) => {
      expect(expectClean(vmFromKube(buildVmi("web-1", apply))).guestMemory).toBe(expected);
    });
  });

  describe("cpu", () => {
    it.each<[string, Apply, number]>([
      ["sockets × cores × threads", withCpu({ sockets: 2, cores: 4, threads: 2 }), 16],
      ["one of them, the others defaulting to 1", withCpu({ cores: 3 }), 3],
      [
        "the CPU limit rounded up, without a topology (virt-launcher's rule)",
        (v) => {
          delete v.spec.domain.cpu;
          v.spec.domain.resources.limits = { cpu: "2500m" };
        },
        3,
      ],
      ["the CPU request rounded up, without a topology or limit", withCpu({ model: "Haswell" }), 1],
      [
        "1 without a topology or CPU resources",
        (v) => {
          delete v.spec.domain.cpu;
          delete v.spec.domain.resources;
        },
        1,
      ],
    ])("vcpus is %s", (_case, apply, vcpus) => {
      expect(expectClean(vmFromKube(buildVmi("web-1", apply))).cpu.vcpus).toBe(vcpus);
    });

    it("maps pinning, NUMA passthrough, realtime and features (empty policy means require)", () => {
      const vmi = buildVmi("db-1", (v) => {
        v.spec.domain.cpu = {
          cores: 4,
          dedicatedCpuPlacement: true,
          isolateEmulatorThread: true,
          numa: { guestMappingPassthrough: {} },
          realtime: {},
          features: [{ name: "invtsc", policy: "require" }, { name: "vmx", policy: "forbid" }, { name: "pcid" }],
        };
        v.spec.domain.memory.hugepages = { pageSize: "1Gi" };
        v.status.topologyHints = { tscFrequency: 2_095_078_000 };
      });
      const converted = expectClean(vmFromKube(vmi));
      expect(converted.cpu).toStrictEqual({
        vcpus: 4,
        model: "",
        dedicated: true,
        isolateEmulatorThread: true,
        numaPassthrough: true,
        realtime: true,
        features: [
          { name: "invtsc", policy: "require" },
          { name: "vmx", policy: "forbid" },
          { name: "pcid", policy: "require" },
        ],
      });
      expect(converted.hugepages).toStrictEqual({ pageSize: "1Gi" });
      expect(converted.tscFrequency).toBe(2_095_078_000);
    });

    it("takes the machine type from the spec when the status has none", () => {
      const vmi = buildVmi("web-1", (v) => {
        delete v.status.machine;
        v.spec.domain.machine = { type: "q35" };
      });
      expect(expectClean(vmFromKube(vmi)).machineType).toBe("q35");
    });
  });

  describe("placement", () => {
    it("copies only the affinity fields the snapshot models", () => {
      const term = {
        labelSelector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "Exists" }] },
        matchLabelKeys: ["pod-template-hash"],
        mismatchLabelKeys: ["tenant"],
        namespaces: ["shop"],
        topologyKey: "kubernetes.io/hostname",
      };
      const vmi = buildVmi("web-1", (v) => {
        v.spec.affinity = {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["ssd", ""] }] }],
            },
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 10,
                preference: { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["node-c"] }] },
              },
            ],
          },
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [term],
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }],
          },
          futureAffinity: { whatever: true },
        };
      });
      const strippedTerm = {
        labelSelector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "Exists" }] },
        namespaces: ["shop"],
        topologyKey: "kubernetes.io/hostname",
      };
      expect(expectClean(vmFromKube(vmi)).affinity).toStrictEqual({
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["ssd", ""] }] }],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              preference: { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["node-c"] }] },
            },
          ],
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [strippedTerm],
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: strippedTerm }],
        },
      });
    });

    it("leaves affinity out when it holds nothing the snapshot models", () => {
      const vmi = buildVmi(
        "web-1",
        withSpec((spec) => (spec.affinity = { futureAffinity: {} })),
      );
      expect(expectClean(vmFromKube(vmi))).not.toHaveProperty("affinity");
    });

    it("copies node selector, tolerations (known fields only) and priority class", () => {
      const vmi = buildVmi(
        "web-1",
        withSpec((spec) => {
          spec.nodeSelector = { "disk-type": "ssd" };
          spec.tolerations = [
            { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
            { operator: "Exists", futureField: "ignored" },
          ];
          spec.priorityClassName = "tier-1";
        }),
      );
      const converted = expectClean(vmFromKube(vmi));
      expect(converted.nodeSelector).toStrictEqual({ "disk-type": "ssd" });
      expect(converted.tolerations).toStrictEqual([
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
        { operator: "Exists" },
      ]);
      expect(converted.priorityClassName).toBe("tier-1");
    });
  });

  describe("lifecycle", () => {
    it.each<[string, Apply, SnapshotVm["runStrategy"]]>([
      ["spec.runStrategy", (vm) => (vm.spec.runStrategy = "RerunOnFailure"), "RerunOnFailure"],
      [
        "spec.running: true",
        (vm) => {
          delete vm.spec.runStrategy;
          vm.spec.running = true;
        },
        "Always",
      ],
      [
        "spec.running: false",
        (vm) => {
          delete vm.spec.runStrategy;
          vm.spec.running = false;
        },
        "Halted",
      ],
      ["neither (KubeVirt's default)", (vm) => delete vm.spec.runStrategy, "Halted"],
    ])("takes runStrategy from the VM's %s", (_case, apply, expected) => {
      expect(expectClean(vmFromKube(buildVmi("web-1"), { vm: buildVm("web-1", apply) })).runStrategy).toBe(expected);
    });

    it("has no runStrategy without a VM", () => {
      expect(expectClean(vmFromKube(buildVmi("web-1")))).not.toHaveProperty("runStrategy");
    });

    it("names the VM as owner when the VMI lacks an owner reference", () => {
      const vmi = buildVmi("web-1", (v) => delete v.metadata.ownerReferences);
      expect(expectClean(vmFromKube(vmi)).owner).toBeUndefined();
      expect(expectClean(vmFromKube(vmi, { vm: buildVm("web-1") })).owner).toBe("web-1");
    });

    it.each<[string, string | undefined, "None" | "External" | undefined, string | undefined]>([
      ["the VMI's own", "LiveMigrate", undefined, "LiveMigrate"],
      ["the VMI's own, over the cluster's", "LiveMigrateIfPossible", "External", "LiveMigrateIfPossible"],
      ["unset, leaving the default to the kubevirt section", undefined, undefined, undefined],
      ["the cluster's when the caller passes it", undefined, "None", "None"],
    ])("evictionStrategy is %s", (_case, own, cluster, expected) => {
      const vmi = buildVmi(
        "web-1",
        withSpec((spec) => (spec.evictionStrategy = own)),
      );
      const sources = cluster === undefined ? {} : { clusterEvictionStrategy: cluster };
      expect(expectClean(vmFromKube(vmi, sources)).evictionStrategy).toBe(expected);
    });

    it.each<[string, KubeJson[], SnapshotVm["liveMigratable"]]>([
      ["True", [{ type: "LiveMigratable", status: "True" }], { status: "True" }],
      [
        "False with its reason",
        [
          {
            type: "LiveMigratable",
            status: "False",
            reason: "DisksNotLiveMigratable",
            message: "cannot migrate VMI: PVC web-1-root is not shared",
          },
        ],
        {
          status: "False",
          reason: "DisksNotLiveMigratable",
          message: "cannot migrate VMI: PVC web-1-root is not shared",
        },
      ],
      ["Unknown when the condition is absent", [{ type: "Ready", status: "True" }], { status: "Unknown" }],
    ])("liveMigratable is %s", (_case, conditions, expected) => {
      const vmi = buildVmi("web-1", (v) => (v.status.conditions = conditions));
      expect(expectClean(vmFromKube(vmi)).liveMigratable).toStrictEqual(expected);
    });
  });

  describe("volumes", () => {
    it.each<[KubeJson, Pick<SnapshotVm["volumes"][number], "source" | "claimName">]>([
      [{ persistentVolumeClaim: { claimName: "data" } }, { source: "persistentVolumeClaim", claimName: "data" }],
      [{ dataVolume: { name: "root-dv" } }, { source: "dataVolume", claimName: "root-dv" }],
      [{ ephemeral: { persistentVolumeClaim: { claimName: "golden" } } }, { source: "ephemeral", claimName: "golden" }],
      [{ memoryDump: { claimName: "dump" } }, { source: "memoryDump", claimName: "dump" }],
      [{ containerDisk: { image: "quay.io/containerdisks/fedora:41" } }, { source: "containerDisk" }],
      [{ cloudInitNoCloud: { userData: "#cloud-config" } }, { source: "cloudInitNoCloud" }],
      [{ cloudInitConfigDrive: { userData: "#cloud-config" } }, { source: "cloudInitConfigDrive" }],
      [{ emptyDisk: { capacity: "1Gi" } }, { source: "emptyDisk" }],
      [{ hostDisk: { path: "/var/disk.img", type: "DiskOrCreate" } }, { source: "hostDisk" }],
      [{ configMap: { name: "app-config" } }, { source: "configMap" }],
      [{ secret: { secretName: "app-secret" } }, { source: "secret" }],
      [{ serviceAccount: { serviceAccountName: "default" } }, { source: "serviceAccount" }],
      [{ downwardAPI: { fields: [] } }, { source: "downwardAPI" }],
      [{ sysprep: { configMap: { name: "unattend" } } }, { source: "sysprep" }],
      [{ downwardMetrics: {} }, { source: "other" }],
      [{ containerPath: { path: "/var/run/secrets/tokens" } }, { source: "other" }],
    ])("maps a volume with %j", (source, expected) => {
      const vmi = buildVmi(
        "web-1",
        withSpec((spec) => (spec.volumes = [{ name: "v", ...source }])),
      );
      expect(expectClean(vmFromKube(vmi)).volumes).toStrictEqual([{ name: "v", ...expected }]);
    });

    it.each<[string, { pvcs?: KubeJson[]; vm?: KubeJson }, Apply | undefined, object]>([
      [
        "the PVC's bound access modes first",
        { pvcs: [buildPvc("web-1-root"), buildPvc("other", (p) => (p.spec.volumeMode = "Block"))] },
        undefined,
        { accessModes: ["ReadWriteMany"], volumeMode: "Filesystem" },
      ],
      [
        "the PVC's requested modes before it is bound",
        { pvcs: [buildPvc("web-1-root", (p) => delete p.status)] },
        undefined,
        { accessModes: ["ReadWriteOnce"], volumeMode: "Filesystem" },
      ],
      [
        "the VMI's volume status without the PVC",
        {},
        undefined,
        { accessModes: ["ReadWriteMany"], volumeMode: "Block" },
      ],
      [
        "the VMI's volume status when the only PVC of that name is in another namespace",
        { pvcs: [buildPvc("web-1-root", (p) => (p.metadata.namespace = "elsewhere"))] },
        undefined,
        { accessModes: ["ReadWriteMany"], volumeMode: "Block" },
      ],
      [
        "the VM's DataVolume template as a last resort",
        {
          vm: buildVm("web-1", (vm) => {
            vm.spec.dataVolumeTemplates = [
              { metadata: { name: "web-1-root" }, spec: { storage: { accessModes: ["ReadWriteOnce"] } } },
            ];
          }),
        },
        (v) => delete v.status.volumeStatus,
        { accessModes: ["ReadWriteOnce"] },
      ],
      ["nothing when nobody says", {}, (v) => delete v.status.volumeStatus, {}],
    ])("takes claim facts from %s", (_case, sources, apply, facts) => {
      const converted = expectClean(vmFromKube(buildVmi("web-1", apply), sources));
      expect(converted.volumes).toStrictEqual([
        { name: "rootdisk", source: "dataVolume", claimName: "web-1-root", ...facts },
      ]);
    });
  });

  it("lists GPUs, host devices and SR-IOV interfaces", () => {
    const vmi = buildVmi("ml-1", (v) => {
      v.spec.domain.devices.gpus = [{ name: "gpu1", deviceName: "nvidia.com/GA102GL_A10" }];
      v.spec.domain.devices.hostDevices = [
        { name: "nvme", deviceName: "intel.com/P5800X" },
        { name: "dra-dev", claimName: "fpga-claim", requestName: "fpga" },
      ];
      (v.spec.domain.devices.interfaces as KubeJson[]).push({ name: "fast-net", sriov: {} });
      (v.spec.networks as KubeJson[]).push({ name: "fast-net", multus: { networkName: "sriov-net-a" } });
    });
    const converted = expectClean(vmFromKube(vmi));
    expect(converted.hostDevices).toStrictEqual([
      { name: "gpu1", deviceName: "nvidia.com/GA102GL_A10", kind: "gpu" },
      { name: "nvme", deviceName: "intel.com/P5800X", kind: "hostDevice" },
      { name: "dra-dev", deviceName: "", kind: "hostDevice" },
    ]);
    expect(converted.sriovNetworks).toStrictEqual([{ name: "fast-net" }]);
  });

  it("keeps the pod's host-model migration selectors, and nothing else of its node selector", () => {
    const vmi = buildVmi("web-1");
    const pod = buildLauncherPod(vmi, "node-a", (p) => {
      p.spec.nodeSelector = {
        "kubevirt.io/schedulable": "true",
        "cpu-model-migration.node.kubevirt.io/Cascadelake-Server": "true",
        "cpu-feature.node.kubevirt.io/avx512f": "true",
        "cpu-vendor.node.kubevirt.io/Intel": "true",
        "disk-type": "ssd",
      };
    });
    expect(expectClean(vmFromKube(vmi, { pod })).migrationSelectors).toStrictEqual({
      "cpu-model-migration.node.kubevirt.io/Cascadelake-Server": "true",
      "cpu-feature.node.kubevirt.io/avx512f": "true",
    });
    expect(expectClean(vmFromKube(vmi, { pod: buildLauncherPod(vmi, "node-a") }))).not.toHaveProperty(
      "migrationSelectors",
    );
  });

  describe("odd VMIs are left out, naming the object and field", () => {
    const subject = "VirtualMachineInstance shop/web-1 left out";

    it.each<[string, Apply, string]>([
      [
        "no namespace",
        (v) => delete v.metadata.namespace,
        "VirtualMachineInstance web-1 left out: metadata.namespace: missing",
      ],
      ["no node", (v) => delete v.status.nodeName, `${subject}: status.nodeName: missing`],
      [
        "an unknown eviction strategy",
        withSpec((spec) => (spec.evictionStrategy = "Teleport")),
        `${subject}: spec.evictionStrategy: unknown value "Teleport" (expected one of "None", "LiveMigrate", "LiveMigrateIfPossible", "External")`,
      ],
      [
        "an unknown toleration operator",
        withSpec((spec) => (spec.tolerations = [{ key: "k", operator: "Gt", value: "3" }])),
        `${subject}: spec.tolerations[0].operator: unknown value "Gt" (expected one of "Exists", "Equal")`,
      ],
      [
        "an unknown affinity operator",
        withSpec(
          (spec) =>
            (spec.affinity = {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: "k", operator: "Near" }] }],
                },
              },
            }),
        ),
        `${subject}: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: unknown value "Near" (expected one of "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")`,
      ],
      [
        "an affinity weight out of range",
        withSpec(
          (spec) =>
            (spec.affinity = {
              podAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 0, podAffinityTerm: { topologyKey: "kubernetes.io/hostname" } },
                ],
              },
            }),
        ),
        `${subject}: spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: expected an integer from 1 to 100, found 0`,
      ],
      [
        "a pod affinity term without topologyKey",
        withSpec((spec) => (spec.affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{}] } })),
        `${subject}: spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: missing`,
      ],
      [
        "an unknown CPU feature policy",
        withCpu({ features: [{ name: "vmx", policy: "prefer" }] }),
        `${subject}: spec.domain.cpu.features[0].policy: unknown value "prefer" (expected one of "force", "require", "optional", "disable", "forbid")`,
      ],
      [
        "zero sockets",
        withCpu({ sockets: 0 }),
        `${subject}: spec.domain.cpu.sockets: expected an integer ≥ 1, found 0`,
      ],
      [
        "an absurd topology",
        withCpu({ sockets: 4294967289, cores: 4294967291 }),
        `${subject}: spec.domain.cpu: sockets × cores × threads is 18446744022169944000, not a usable vCPU count`,
      ],
      [
        "an unparsable guest memory",
        (v) => (v.spec.domain.memory.guest = "4 GB"),
        `${subject}: spec.domain.memory.guest: not a valid quantity: "4 GB" (examples: 500m, 4, 16Gi)`,
      ],
      [
        "a hugepage size that is not a quantity",
        (v) => (v.spec.domain.memory.hugepages = { pageSize: "huge" }),
        `${subject}: spec.domain.memory.hugepages.pageSize: not a page size: "huge" (examples: 2Mi, 1Gi)`,
      ],
      [
        "an unknown access mode in the volume status",
        (v) => (v.status.volumeStatus[0].persistentVolumeClaimInfo.accessModes = ["ReadWriteSometimes"]),
        `${subject}: status.volumeStatus[0].persistentVolumeClaimInfo.accessModes[0]: unknown value "ReadWriteSometimes" (expected one of "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")`,
      ],
      [
        "an odd LiveMigratable status",
        (v) => (v.status.conditions = [{ type: "LiveMigratable", status: "Perhaps" }]),
        `${subject}: status.conditions[0].status: unknown value "Perhaps" (expected one of "True", "False", "Unknown")`,
      ],
    ])("%s", (_case, apply, warning) => {
      expect(expectLeftOut(vmFromKube(buildVmi("web-1", apply)))).toEqual([warning]);
    });

    it("names the related object when the odd field is in the pod, PVC or VM", () => {
      const vmi = buildVmi("web-1");
      const pod = buildLauncherPod(vmi, "node-a", (p) => (p.spec.containers[0].resources.requests.cpu = "fast"));
      const pvc = buildPvc("web-1-root", (p) => (p.spec.volumeMode = "Tape"));
      const vm = buildVm("web-1", (v) => (v.spec.running = true));
      expect(expectLeftOut(vmFromKube(vmi, { pod, pvcs: [pvc], vm }))).toEqual([
        `${subject}: VirtualMachine shop/web-1 spec.running: set together with spec.runStrategy; KubeVirt rejects that`,
        `${subject}: Pod shop/virt-launcher-web-1-node-a spec.containers[0].resources.requests.cpu: not a valid quantity: "fast" (examples: 500m, 4, 16Gi)`,
        `${subject}: PersistentVolumeClaim shop/web-1-root spec.volumeMode: unknown value "Tape" (expected one of "Filesystem", "Block")`,
      ]);
    });
  });
});
