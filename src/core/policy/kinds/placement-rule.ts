/**
 * PlacementRule: a VM-VM or VM-Host rule, must (Required) or should (Preferred), as in vSphere DRS.
 * Required rules are hard filters that balancing, evacuation and restarts never break.
 */
import { z } from "zod";
import { labelSelector } from "../../schema/fields.ts";
import { vmGroup } from "./common.ts";

export const placementRuleSpec = z
  .strictObject({
    type: z.enum(["VmAffinity", "VmAntiAffinity", "NodeAffinity", "NodeAntiAffinity"]).meta({
      description:
        "VmAffinity keeps the group in one topology domain, VmAntiAffinity spreads it one per domain, NodeAffinity runs it on `nodes`, NodeAntiAffinity keeps it off `nodes`.",
    }),
    enforcement: z
      .enum(["Required", "Preferred"])
      .meta({ description: "Required (DRS must) or Preferred (DRS should)." }),
    weight: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(50)
      .meta({ description: "How much a Preferred rule counts when scoring." }),
    vms: vmGroup,
    nodes: z
      .strictObject({ selector: labelSelector })
      .optional()
      .meta({ description: "The host group, for NodeAffinity and NodeAntiAffinity." }),
    topologyKey: z.string().min(1).default("kubernetes.io/hostname").meta({
      description: "The node label that defines a domain for VM-VM rules, e.g. topology.kubernetes.io/zone.",
    }),
  })
  .superRefine((spec, ctx) => {
    const nodeRule = spec.type === "NodeAffinity" || spec.type === "NodeAntiAffinity";
    if (nodeRule && !spec.nodes) {
      ctx.addIssue({
        code: "custom",
        path: ["nodes"],
        message: `${spec.type} needs a host group in nodes.selector`,
        params: { type: "Required" },
      });
    }
    if (!nodeRule && spec.nodes) {
      ctx.addIssue({
        code: "custom",
        path: ["nodes"],
        message: `${spec.type} relates VMs to each other; nodes is not used`,
        params: { type: "Forbidden" },
      });
    }
  });

export type PlacementRuleSpec = z.output<typeof placementRuleSpec>;
