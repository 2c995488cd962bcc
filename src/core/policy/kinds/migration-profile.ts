/**
 * MigrationProfile: live-migration tuning for a group of VMs (like vMotion settings).
 * kubedrs renders each profile into a KubeVirt MigrationPolicy it owns and labels the VMIs so
 * that policy wins KubeVirt's precedence rules.
 */
import { z } from "zod";
import { quantity } from "../../schema/fields.ts";
import { vmGroup } from "./common.ts";

export const migrationProfileSpec = z.strictObject({
  vms: vmGroup,
  priority: z
    .number()
    .int()
    .default(0)
    .meta({ description: "When profiles overlap, the highest priority wins; ties go to the first name." }),
  bandwidthPerMigration: quantity
    .optional()
    .meta({ description: "Bytes per second, e.g. 1Gi. Unset keeps KubeVirt's cluster setting." }),
  allowAutoConverge: z.boolean().optional(),
  allowPostCopy: z.boolean().optional(),
  allowWorkloadDisruption: z.boolean().optional(),
  completionTimeoutPerGiB: z.number().int().min(0).optional(),
  maxDowntimeMs: z.number().int().min(1).max(2_000_000).optional(),
  requireConvergence: z.boolean().default(true).meta({
    description: "Skip VMs whose migration the cost model predicts will not converge with these settings.",
  }),
});

export type MigrationProfileSpec = z.output<typeof migrationProfileSpec>;
