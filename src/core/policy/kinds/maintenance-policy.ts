/**
 * MaintenancePolicy: how kubedrs evacuates a node, like vSphere maintenance mode, and what it does
 * with VMs that cannot live-migrate. Also the conditions that trigger proactive evacuation.
 */
import { z } from "zod";
import { duration, labelSelector } from "../../schema/fields.ts";
import { vmGroup } from "./common.ts";

export const unmigratableAction = z.enum(["Block", "ShutdownAndRestartElsewhere", "Leave"]).meta({
  description:
    "Block: evacuate the rest and report the node not ready. ShutdownAndRestartElsewhere: stop and start on another node. Leave: keep it running there.",
});

export const maintenancePolicySpec = z.strictObject({
  nodeSelector: labelSelector.prefault({}),
  unmigratable: z
    .strictObject({
      defaultAction: unmigratableAction.default("Block"),
      rules: z.array(z.strictObject({ vms: vmGroup, action: unmigratableAction })).default([]),
    })
    .prefault({}),
  moveBack: z.boolean().default(false).meta({ description: "When maintenance ends, move the evacuated VMs back." }),
  migrationTimeout: duration
    .default(1800)
    .meta({ description: "A single evacuation migration that takes longer is cancelled and retried." }),
  proactive: z
    .strictObject({
      enabled: z.boolean().default(false),
      conditions: z
        .array(
          z.strictObject({
            type: z.string().min(1),
            status: z.enum(["True", "False", "Unknown"]).default("True"),
            for: duration.default(60),
          }),
        )
        .default([]),
      minInterval: duration
        .default(3600)
        .meta({ description: "At most one proactive evacuation per node in this interval." }),
      maxPerHour: z
        .number()
        .int()
        .min(1)
        .default(1)
        .meta({ description: "At most this many proactive evacuations cluster-wide per hour." }),
    })
    .prefault({}),
});

export type MaintenancePolicySpec = z.output<typeof maintenancePolicySpec>;
