/**
 * A VM group: `count` VirtualMachines of one shape, in one namespace, with the same scheduling
 * constraints, storage, network and load, and optionally a starting placement.
 */
import { z } from "zod";
import { affinity, duration, labels, quantity, toleration } from "../../core/schema/fields.ts";
import { workloadSpecSchema } from "./load.ts";
import { dnsLabel, namePattern } from "./pool-schema.ts";

export const EVICTION_STRATEGIES = ["None", "LiveMigrate", "LiveMigrateIfPossible", "External"] as const;
const RUN_STRATEGIES = ["Always", "RerunOnFailure", "Manual", "Halted", "Once"] as const;

const antiAffinity = z
  .strictObject({
    topology: z
      .enum(["node", "zone"])
      .default("node")
      .meta({ description: "Spread the group's VMs over nodes (kubernetes.io/hostname) or zones." }),
    required: z
      .boolean()
      .default(true)
      .meta({ description: "Required (hard) or preferred (soft, weight 100) anti-affinity." }),
  })
  .meta({ description: "Shorthand: pod anti-affinity among the group's own VMs." });

const volume = z.strictObject({
  name: dnsLabel,
  type: z
    .enum(["pvc", "dataVolume", "containerDisk"])
    .default("pvc")
    .meta({ description: "pvc and dataVolume are named <vm>-<volume>; containerDisk is ephemeral." }),
  accessMode: z
    .enum(["ReadWriteMany", "ReadWriteOnce"])
    .default("ReadWriteMany")
    .meta({ description: "For pvc and dataVolume: ReadWriteOnce storage keeps the VM from live-migrating." }),
  image: z.string().default("quay.io/containerdisks/fedora:41").meta({ description: "For containerDisk." }),
});

export type VolumeSpec = z.output<typeof volume>;

const cpuFeature = z.strictObject({
  name: z.string().min(1),
  policy: z.enum(["force", "require", "optional", "disable", "forbid"]).default("require"),
});

const hostDevice = z.strictObject({ name: dnsLabel, deviceName: z.string().min(1) });

const skew = z
  .strictObject({
    nodes: z.array(z.string()).min(1).optional().meta({ description: "The hot nodes, by name." }),
    count: z.number().int().min(1).optional().meta({ description: "Or: the first N candidate nodes by name." }),
    share: z
      .number()
      .min(0)
      .max(1)
      .meta({ description: "The fraction of the group's VMs that start on the hot nodes." }),
  })
  .refine((value) => (value.nodes === undefined) !== (value.count === undefined), {
    message: "set exactly one of nodes or count",
  })
  .meta({ description: "A skewed start: a share of the VMs crowd onto a few hot nodes." });

const placement = z
  .strictObject({
    pool: dnsLabel.optional().meta({ description: "Start the VMs on this pool's nodes." }),
    nodes: z.array(z.string()).min(1).optional().meta({ description: "Start the VMs on these nodes." }),
    skew: skew.optional(),
  })
  .meta({
    description:
      "Where the VMs' first pods go (the twin.kubedrs.io/initial-node annotation), chosen with the seeded " +
      "random source among the candidates that fit; without it, the scheduler decides.",
  });

export type Placement = z.output<typeof placement>;

const traces = z
  .strictObject({
    directory: z.string().min(1).meta({
      description: "A directory of trace files under the traces root ($KUBEDRS_TRACES, else ../shared/traces).",
    }),
    part: z
      .strictObject({ index: z.number().int().min(0), of: z.number().int().min(1) })
      .refine((part) => part.index < part.of, { message: "index must be below of", path: ["index"] })
      .optional()
      .meta({
        description:
          "Use only the index-th of `of` runs of consecutive files (by name), each ceil(files / of) long: how " +
          "CloudSim deals its VM types over a PlanetLab day (VM i gets type i / ceil(n / types)).",
      }),
    limit: z.number().int().min(1).optional().meta({ description: "Use only the first N files (by name)." }),
    interval: duration
      .refine((seconds) => seconds > 0, "must be longer than 0")
      .default(300)
      .meta({ description: "Time between samples (PlanetLab: 5 minutes)." }),
    scale: z.number().min(0).default(1).meta({ description: "Multiplies every sample." }),
    interpolation: z.enum(["linear", "hold"]).default("linear"),
  })
  .meta({
    description:
      "One VM per trace file (the group's count); each VM's CPU curve replays its file, the rest of load applies as given.",
  });

export const vmGroupSchema = z
  .strictObject({
    name: dnsLabel.meta({ description: "The group's name (label twin.kubedrs.io/group); VMs are named after it." }),
    namespace: dnsLabel.default("default"),
    count: z.number().int().min(0).optional().meta({ description: "How many VMs (not with traces)." }),
    namePattern: namePattern.optional(),
    cpu: z.number().int().min(1).meta({ description: "vCPUs (domain.cpu.cores)." }),
    memory: quantity.meta({ description: "Guest memory (domain.memory.guest)." }),
    cpuModel: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "host-model, host-passthrough or a named model (e.g. Skylake-Server-IBRS)." }),
    cpuFeatures: z.array(cpuFeature).default([]),
    dedicated: z.boolean().default(false).meta({ description: "dedicatedCpuPlacement: pinned CPUs, Guaranteed QoS." }),
    isolateEmulatorThread: z.boolean().default(false),
    numaPassthrough: z.boolean().default(false).meta({ description: "domain.cpu.numa.guestMappingPassthrough." }),
    hugepages: z
      .enum(["1Gi", "2Mi"])
      .optional()
      .meta({ description: "Back guest memory with hugepages of this size." }),
    gpus: z.number().int().min(0).default(0),
    gpuDeviceName: z.string().default("nvidia.com/gpu"),
    hostDevices: z.array(hostDevice).default([]),
    labels: labels.default({}).meta({ description: "Labels on the VM and its VMI template." }),
    nodeSelector: labels.optional(),
    affinity: affinity.optional(),
    antiAffinity: antiAffinity.optional(),
    tolerations: z.array(toleration).optional(),
    evictionStrategy: z.enum(EVICTION_STRATEGIES).optional(),
    runStrategy: z.enum(RUN_STRATEGIES).default("Always"),
    volumes: z.array(volume).default([{ name: "rootdisk", type: "pvc", accessMode: "ReadWriteMany", image: "" }]),
    interface: z
      .enum(["masquerade", "bridge", "sriov"])
      .default("masquerade")
      .meta({ description: "The pod network binding; bridge and SR-IOV keep a VM from live-migrating." }),
    placement: placement.optional(),
    load: workloadSpecSchema.optional(),
    traces: traces.optional(),
  })
  .superRefine((group, context) => {
    if (group.traces === undefined && group.count === undefined)
      context.addIssue({
        code: "custom",
        path: ["count"],
        message: "required field is missing",
        params: { type: "Required" },
      });
    if (group.traces !== undefined && group.count !== undefined)
      context.addIssue({
        code: "custom",
        path: ["count"],
        message: "a traces group has one VM per trace file; leave count out",
        params: { type: "Forbidden" },
      });
    if (group.isolateEmulatorThread && !group.dedicated)
      context.addIssue({ code: "custom", path: ["isolateEmulatorThread"], message: "needs dedicated: true" });
  });

export type VmGroup = z.output<typeof vmGroupSchema>;
