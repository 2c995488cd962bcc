/**
 * Cluster-wide KubeVirt settings as the KubeVirt CR and MigrationPolicies spell them
 * (kubevirt-api.md §3). Quantities stay as written, so the objects read like hand-made ones.
 */
import { z } from "zod";
import { parseQuantity } from "../../core/model/quantity.ts";
import { labels } from "../../core/schema/fields.ts";
import { EVICTION_STRATEGIES } from "./vm-group-schema.ts";
import { dnsLabel } from "./pool-schema.ts";

/** A quantity kept in its written form ("64Mi"), checked to parse. */
const quantityText = z
  .union([z.string(), z.number()])
  .refine((value) => typeof value === "number" || parseQuantity(value) !== undefined, {
    message: "not a valid quantity (examples: 0, 64Mi, 1Gi)",
  })
  .transform((value) => String(value));

/** spec.configuration.migrations; what is left out keeps KubeVirt's default. */
const migrationConfiguration = z.strictObject({
  parallelMigrationsPerCluster: z.number().int().min(1).optional(),
  parallelOutboundMigrationsPerNode: z.number().int().min(1).optional(),
  bandwidthPerMigration: quantityText.optional().meta({ description: "Per second; 0 = unlimited." }),
  completionTimeoutPerGiB: z.number().int().min(0).optional(),
  progressTimeout: z.number().int().min(0).optional(),
  maxDowntimeMs: z.number().int().min(1).max(2_000_000).optional(),
  allowAutoConverge: z.boolean().optional(),
  allowPostCopy: z.boolean().optional(),
  allowWorkloadDisruption: z.boolean().optional(),
  unsafeMigrationOverride: z.boolean().optional(),
  disableTLS: z.boolean().optional(),
  network: z.string().optional(),
  nodeDrainTaintKey: z.string().optional(),
  matchSELinuxLevelOnMigration: z.boolean().optional(),
});

export type MigrationConfiguration = z.output<typeof migrationConfiguration>;

export const kubevirtConfigSchema = z
  .strictObject({
    evictionStrategy: z
      .enum(EVICTION_STRATEGIES)
      .optional()
      .meta({ description: "spec.configuration.evictionStrategy; unset means KubeVirt's default (None)." }),
    cpuModel: z.string().min(1).optional().meta({ description: "The cluster's default CPU model (host-model)." }),
    featureGates: z.array(z.string().min(1)).default([]),
    migrations: migrationConfiguration.default({}),
  })
  .meta({ description: "The KubeVirt CR's spec.configuration." });

export type KubeVirtConfig = z.output<typeof kubevirtConfigSchema>;

export const migrationPolicySchema = z
  .strictObject({
    name: dnsLabel,
    labels: labels.default({}),
    selectors: z
      .strictObject({
        namespaceSelector: labels.optional(),
        virtualMachineInstanceSelector: labels.optional(),
      })
      .default({}),
    allowAutoConverge: z.boolean().optional(),
    bandwidthPerMigration: quantityText.optional(),
    completionTimeoutPerGiB: z.number().int().min(0).optional(),
    allowPostCopy: z.boolean().optional(),
    allowWorkloadDisruption: z.boolean().optional(),
    maxDowntimeMs: z.number().int().min(1).max(2_000_000).optional(),
  })
  .meta({ description: "A MigrationPolicy (migrations.kubevirt.io/v1alpha1): name, selectors and overrides." });

export type MigrationPolicy = z.output<typeof migrationPolicySchema>;
