/** A node pool: how many identical hosts, their CPU, size, NUMA layout, devices, zones and labels. */
import { z } from "zod";
import { labels, quantity, taint } from "../../core/schema/fields.ts";
import { CPU_GENERATION_NAMES } from "./cpu-labels.ts";
import { INDEX_PLACEHOLDER } from "./names.ts";

/** A lowercase RFC 1123 label, as object names and label values built from it must be. */
export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a lowercase RFC 1123 label (a-z, 0-9, -)");

export const namePattern = z
  .string()
  .refine((pattern) => pattern.includes(INDEX_PLACEHOLDER), `must contain ${INDEX_PLACEHOLDER}`)
  .meta({ description: `Names of the generated objects; ${INDEX_PLACEHOLDER} becomes 01, 02, … (zero-padded).` });

const TOPOLOGY_POLICIES = ["none", "best-effort", "restricted", "single-numa-node"] as const;

const numa = z
  .strictObject({
    cells: z.number().int().min(1).max(8).default(2).meta({ description: "NUMA cells; CPUs and memory split evenly." }),
    topologyPolicy: z
      .enum(TOPOLOGY_POLICIES)
      .default("none")
      .meta({ description: "The kubelet's Topology Manager policy." }),
  })
  .meta({ description: "The hosts' NUMA layout." });

const hugepages = z
  .strictObject({
    "1Gi": quantity.optional().meta({ description: "Memory reserved as 1Gi pages at boot, per host (e.g. 256Gi)." }),
    "2Mi": quantity.optional().meta({ description: "Memory reserved as 2Mi pages at boot, per host." }),
  })
  .meta({ description: "Hugepages per host, split evenly over the NUMA cells; taken out of allocatable memory." });

export const nodePoolSchema = z
  .strictObject({
    name: dnsLabel.meta({
      description: "The pool's name; nodes are named after it unless namePattern says otherwise.",
    }),
    count: z.number().int().min(1).meta({ description: "How many hosts." }),
    namePattern: namePattern.optional(),
    cpu: z
      .enum(CPU_GENERATION_NAMES)
      .optional()
      .meta({ description: "The hosts' CPU generation from the catalog; sets the full KubeVirt CPU label set." }),
    cpuLabels: labels
      .optional()
      .meta({ description: "Explicit CPU labels instead of a catalog generation (cpu-model.node.kubevirt.io/…)." }),
    cores: z.number().int().min(1).meta({ description: "Logical CPUs per host (the kubelet's cpu capacity)." }),
    memory: quantity.meta({ description: "Memory per host (e.g. 512Gi)." }),
    pods: z.number().int().min(1).default(250).meta({ description: "The kubelet's maxPods." }),
    zones: z
      .array(dnsLabel)
      .min(1)
      .default(["zone-a"])
      .meta({ description: "Zones dealt round-robin over the pool's hosts (topology.kubernetes.io/zone)." }),
    labels: labels.default({}).meta({ description: "Extra node labels; they win over generated ones." }),
    taints: z.array(taint).default([]),
    numa: numa.prefault({}),
    hugepages: hugepages.default({}),
    cpuManager: z.boolean().default(false).meta({
      description: "The kubelet runs the static CPU manager (kubevirt.io/cpumanager=true): dedicated CPUs fit.",
    }),
    gpus: z.number().int().min(0).default(0).meta({ description: "GPUs per host (nvidia.com/gpu)." }),
    migrationBandwidth: quantity
      .optional()
      .meta({ description: "Bytes per second the host can send or receive for migrations (e.g. 1.25G for 10 GbE)." }),
  })
  .superRefine((pool, context) => {
    if ((pool.cpu === undefined) === (pool.cpuLabels === undefined))
      context.addIssue({
        code: "custom",
        path: ["cpu"],
        message: `set exactly one of cpu (${CPU_GENERATION_NAMES.join(", ")}) or cpuLabels`,
        params: { type: pool.cpu === undefined ? "Required" : "Forbidden" },
      });
    const reserved = (pool.hugepages["1Gi"] ?? 0) + (pool.hugepages["2Mi"] ?? 0);
    if (reserved >= pool.memory)
      context.addIssue({ code: "custom", path: ["hugepages"], message: "hugepages must leave some of memory" });
  });

export type NodePool = z.output<typeof nodePoolSchema>;
