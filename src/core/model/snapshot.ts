/**
 * The ClusterSnapshot document: everything the planning core knows about a cluster at one moment.
 * It is what `kubedrs snapshot` writes, what `plan` and `explain` read, and what the controller builds
 * from its informers. Quantities are Kubernetes quantities in files and plain numbers in memory:
 * CPU in millicores, memory in bytes, rates in bytes per second, durations in seconds.
 */
import { z } from "zod";
import { affinity, cpuQuantity, duration, labels, quantity, taint, toleration } from "../schema/fields.ts";

export const SNAPSHOT_API_VERSION = "kubedrs.io/v1alpha1";

/** What a migration gets when neither a policy nor the node says otherwise: 10 GbE. */
export const DEFAULT_MIGRATION_BANDWIDTH = 1.25e9;

const resourceList = z
  .record(z.string(), z.union([z.number(), z.string()]))
  .transform((list, ctx) => {
    const parsed: Record<string, number> = {};
    for (const [name, value] of Object.entries(list)) {
      const schema = name === "cpu" ? cpuQuantity : quantity;
      const result = schema.safeParse(value);
      if (!result.success) {
        ctx.issues.push({
          code: "custom",
          input: value,
          path: [name],
          message: `not a valid quantity for ${name}: ${JSON.stringify(value)}`,
        });
        continue;
      }
      parsed[name] = result.data;
    }
    return parsed;
  })
  .meta({ description: "A Kubernetes ResourceList: cpu, memory, pods, hugepages-<size>, extended resources." });

/** Mean, 95th percentile and maximum of a signal over the snapshot's usage window. */
function summaryOf(value: typeof quantity) {
  const full = z.strictObject({ mean: value, p95: value.optional(), max: value.optional() });
  return z.union([value, full]).transform((input) => {
    if (typeof input === "number") return { mean: input, p95: input, max: input };
    const p95 = input.p95 ?? input.mean;
    return { mean: input.mean, p95, max: input.max ?? p95 };
  });
}

const cpuSummary = summaryOf(cpuQuantity);
const bytesSummary = summaryOf(quantity);

const pressure = z
  .strictObject({
    cpuSome: z.number().min(0).max(1).optional(),
    memorySome: z.number().min(0).max(1).optional(),
    ioSome: z.number().min(0).max(1).optional(),
  })
  .meta({ description: "Pressure stall information, as the share of time some tasks stalled (avg over the window)." });

const condition = z.strictObject({
  type: z.string(),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  lastHeartbeatTime: z.string().optional(),
});

const numaCell = z.strictObject({
  id: z.number().int().min(0),
  cpus: z.string().regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, "must be a cpuset such as 0-15,32-47"),
  memory: quantity.optional(),
  hugepages: z
    .record(z.string(), z.number().int().min(0))
    .default({})
    .meta({ description: 'Free-standing hugepage pool per page size, e.g. {"1Gi": 64}.' }),
});

const nodeUsage = z.strictObject({
  cpu: cpuSummary,
  memory: bytesSummary,
  pressure: pressure.optional(),
});

export const snapshotNode = z.strictObject({
  name: z.string().min(1),
  labels: labels.default({}),
  annotations: labels.default({}),
  taints: z.array(taint).default([]),
  unschedulable: z.boolean().default(false),
  conditions: z.array(condition).default([{ type: "Ready", status: "True" }]),
  capacity: resourceList,
  allocatable: resourceList.optional(),
  numa: z
    .strictObject({
      topologyPolicy: z.enum(["none", "best-effort", "restricted", "single-numa-node"]).default("none"),
      cells: z.array(numaCell).min(1),
    })
    .optional(),
  migrationBandwidth: quantity
    .optional()
    .meta({ description: "Bytes per second this node can send or receive for migrations." }),
  usage: nodeUsage.optional(),
  lease: z.strictObject({ renewTime: z.string(), durationSeconds: z.number().optional() }).optional(),
  power: z
    .strictObject({
      state: z.enum(["On", "Off", "Unknown"]),
      observedAt: z.string(),
      detail: z.string().optional(),
    })
    .optional()
    .meta({
      description:
        "The host's power state as its BMC last reported it (Redfish PowerState), out of band: the second detection signal.",
    }),
  maintenance: z
    .strictObject({
      source: z.enum(["annotation", "NodeMaintenance", "kubedrs"]),
      reason: z.string().optional(),
      since: z.string().optional(),
    })
    .optional()
    .meta({
      description:
        "Set while the node is in (or entering) maintenance: from the kubedrs.io/maintenance annotation or a NodeMaintenance object.",
    }),
});

const cpuFeature = z.strictObject({
  name: z.string().min(1),
  policy: z.enum(["force", "require", "optional", "disable", "forbid", ""]).default("require"),
});

const volume = z.strictObject({
  name: z.string(),
  source: z.enum([
    "persistentVolumeClaim",
    "dataVolume",
    "containerDisk",
    "cloudInitNoCloud",
    "cloudInitConfigDrive",
    "emptyDisk",
    "ephemeral",
    "hostDisk",
    "configMap",
    "secret",
    "serviceAccount",
    "downwardAPI",
    "sysprep",
    "memoryDump",
    "other",
  ]),
  claimName: z.string().optional(),
  accessModes: z.array(z.enum(["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"])).optional(),
  volumeMode: z.enum(["Filesystem", "Block"]).optional(),
});

const hostDevice = z.strictObject({
  name: z.string(),
  deviceName: z.string(),
  kind: z.enum(["gpu", "hostDevice"]),
});

const vmUsage = z.strictObject({
  cpu: cpuSummary,
  memory: bytesSummary,
  dirtyRate: bytesSummary.optional().meta({ description: "Guest memory dirty rate in bytes per second." }),
  vcpuDelay: z
    .number()
    .min(0)
    .optional()
    .meta({ description: "Share of vCPU time spent waiting for a host CPU (like vSphere CPU ready)." }),
});

export const snapshotVm = z.strictObject({
  namespace: z.string().min(1),
  name: z.string().min(1),
  uid: z.string().optional(),
  owner: z.string().optional().meta({ description: "The VirtualMachine owning this VMI, if any." }),
  node: z.string().min(1),
  phase: z.enum(["Pending", "Scheduling", "Scheduled", "Running", "Succeeded", "Failed", "Unknown"]).default("Running"),
  labels: labels.default({}),
  annotations: labels.default({}),
  requests: resourceList,
  limits: resourceList.optional(),
  guestMemory: quantity
    .optional()
    .meta({ description: "Guest RAM; what a migration copies. Defaults to the memory request." }),
  cpu: z
    .strictObject({
      vcpus: z.number().int().min(1).optional(),
      model: z
        .string()
        .default("")
        .meta({ description: "host-model, host-passthrough, a named model, or empty for the cluster default." }),
      dedicated: z.boolean().default(false),
      isolateEmulatorThread: z.boolean().default(false),
      numaPassthrough: z.boolean().default(false),
      realtime: z.boolean().default(false),
      features: z.array(cpuFeature).default([]),
    })
    .prefault({}),
  hugepages: z.strictObject({ pageSize: z.string() }).optional(),
  machineType: z.string().optional(),
  tscFrequency: z.number().int().optional(),
  nodeSelector: labels.default({}),
  affinity: affinity.optional(),
  tolerations: z.array(toleration).default([]),
  priorityClassName: z.string().optional(),
  runStrategy: z.enum(["Always", "RerunOnFailure", "Manual", "Halted", "Once", "WaitAsReceiver"]).optional(),
  evictionStrategy: z.enum(["None", "LiveMigrate", "LiveMigrateIfPossible", "External"]).optional(),
  liveMigratable: z
    .strictObject({
      status: z.enum(["True", "False", "Unknown"]),
      reason: z.string().optional(),
      message: z.string().optional(),
    })
    .default({ status: "True" }),
  volumes: z.array(volume).default([]),
  hostDevices: z.array(hostDevice).default([]),
  sriovNetworks: z.array(z.strictObject({ name: z.string(), resource: z.string().optional() })).default([]),
  migrationSelectors: labels
    .optional()
    .meta({ description: "CPU selectors on the current virt-launcher pod, left by an earlier host-model migration." }),
  usage: vmUsage.optional(),
});

/** VMIM phases kubedrs models; the decentralized ones (WaitingForSync, Synchronizing) are not. */
export const MIGRATION_PHASES = [
  "",
  "Pending",
  "Scheduling",
  "Scheduled",
  "PreparingTarget",
  "TargetReady",
  "Running",
  "Succeeded",
  "Failed",
] as const;

const migrationPhase = z.enum(MIGRATION_PHASES);

export const snapshotMigration = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  vm: z.string().meta({ description: "The VMI being migrated (same namespace)." }),
  phase: migrationPhase,
  source: z.string().optional(),
  target: z.string().optional(),
  requestedTarget: z.string().optional().meta({ description: "The node named by spec.addedNodeSelector, if any." }),
  createdAt: z.string(),
  endedAt: z.string().optional(),
  byKubedrs: z.boolean().default(false),
  reason: z.string().optional(),
});

const migrationConfiguration = z.strictObject({
  parallelMigrationsPerCluster: z.number().int().min(1).default(5),
  parallelOutboundMigrationsPerNode: z.number().int().min(1).default(2),
  bandwidthPerMigration: quantity
    .default(0)
    .meta({ description: "Bytes per second; 0 means unlimited (the link speed)." }),
  completionTimeoutPerGiB: z.number().int().min(0).default(150),
  progressTimeout: z.number().int().min(0).default(150),
  allowAutoConverge: z.boolean().default(false),
  allowPostCopy: z.boolean().default(false),
  allowWorkloadDisruption: z.boolean().optional(),
  maxDowntimeMs: z.number().int().min(1).default(900),
});

export const snapshotMigrationPolicy = z.strictObject({
  name: z.string(),
  labels: labels.default({}),
  selectors: z
    .strictObject({
      namespaceSelector: labels.optional(),
      virtualMachineInstanceSelector: labels.optional(),
    })
    .prefault({}),
  allowAutoConverge: z.boolean().optional(),
  bandwidthPerMigration: quantity.optional(),
  completionTimeoutPerGiB: z.number().int().min(0).optional(),
  allowPostCopy: z.boolean().optional(),
  allowWorkloadDisruption: z.boolean().optional(),
  maxDowntimeMs: z.number().int().min(1).optional(),
});

export const clusterSnapshotSchema = z
  .strictObject({
    apiVersion: z.literal(SNAPSHOT_API_VERSION),
    kind: z.literal("ClusterSnapshot"),
    metadata: z.strictObject({ name: z.string().default("snapshot") }).prefault({}),
    takenAt: z.string().meta({ description: "RFC 3339 time the snapshot describes; planning uses it as `now`." }),
    usageWindow: duration.default(600).meta({ description: "The window the usage summaries cover." }),
    kubevirt: z
      .strictObject({
        migrations: migrationConfiguration.prefault({}),
        cpuModel: z.string().default("host-model"),
        obsoleteCpuModels: z.array(z.string()).optional(),
        evictionStrategy: z.enum(["None", "LiveMigrate", "LiveMigrateIfPossible", "External"]).default("None"),
        defaultMigrationBandwidth: quantity.default(DEFAULT_MIGRATION_BANDWIDTH).meta({
          description: "Bytes per second a migration gets when neither policy nor node sets one (10 GbE by default).",
        }),
      })
      .prefault({}),
    namespaces: z.array(z.strictObject({ name: z.string(), labels: labels.default({}) })).default([]),
    nodes: z.array(snapshotNode),
    vms: z.array(snapshotVm).default([]),
    migrations: z.array(snapshotMigration).default([]),
    migrationPolicies: z.array(snapshotMigrationPolicy).default([]),
  })
  .meta({ title: "kubedrs ClusterSnapshot", description: "A point-in-time view of a KubeVirt cluster for planning." });

/** KubeVirt's defaults for spec.configuration.migrations (v1.9, pkg/virt-config; kubevirt-api.md §3.3). */
export const KUBEVIRT_MIGRATION_DEFAULTS: Readonly<z.output<typeof migrationConfiguration>> =
  migrationConfiguration.parse({});

export type ClusterSnapshot = z.output<typeof clusterSnapshotSchema>;
export type ClusterSnapshotInput = z.input<typeof clusterSnapshotSchema>;
export type SnapshotNode = z.output<typeof snapshotNode>;
export type SnapshotVm = z.output<typeof snapshotVm>;
export type SnapshotMigration = z.output<typeof snapshotMigration>;
export type SnapshotMigrationPolicy = z.output<typeof snapshotMigrationPolicy>;
export type MigrationConfiguration = z.output<typeof migrationConfiguration>;
export type MigrationPhase = z.output<typeof migrationPhase>;
export type UsageSummary = { readonly mean: number; readonly p95: number; readonly max: number };
