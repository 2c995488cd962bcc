/**
 * FailoverPolicy: host-failure detection, fencing and VM restart, like vSphere HA.
 * Fencing must be confirmed before any VM restarts elsewhere; `None` needs an explicit acknowledgement.
 */
import { z } from "zod";
import { duration, intOrPercent, labelSelector } from "../../schema/fields.ts";

const fenceStep = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("FenceAgents"),
    template: z
      .string()
      .min(1)
      .meta({ description: "The FenceAgentsRemediationTemplate to create the remediation from." }),
    timeout: duration.default(120),
  }),
  z.strictObject({
    type: z.literal("SelfNodeRemediation"),
    template: z.string().min(1).default("self-node-remediation-automatic-strategy-template"),
    safeTime: duration.default(180).meta({
      description: "How long to wait for the node to reboot itself (SNR's safeTimeToAssumeNodeRebootedSeconds).",
    }),
    timeout: duration.default(300),
  }),
  z.strictObject({
    type: z.literal("External"),
    annotation: z.string().min(1).default("kubedrs.io/fenced"),
    timeout: duration.default(600),
  }),
  z.strictObject({ type: z.literal("None") }),
]);

export type FenceStep = z.output<typeof fenceStep>;

/** Where each host's Redfish ComputerSystem is: "{node}" in the template stands for the node's name. */
const systemUrl = z
  .string()
  .regex(/^https?:\/\//, "must be an http(s) URL")
  .meta({ description: 'The Redfish ComputerSystem URL; "{node}" is replaced by the node name.' });

const powerStatus = z
  .strictObject({
    type: z.literal("Redfish"),
    systemUrl: systemUrl.optional().meta({
      description:
        "Template for each host's Redfish ComputerSystem URL; a node's kubedrs.io/redfish-system annotation wins.",
    }),
    insecureSkipTLSVerify: z.boolean().default(false).meta({ description: "Accept a BMC's self-signed certificate." }),
    timeout: duration.default(3).meta({ description: "How long one power-state query may take." }),
    interval: duration.default(2).meta({ description: "How often a suspect node's BMC is asked again." }),
  })
  .meta({
    description:
      "Ask the BMC of a node whose Lease is overdue for its power state: Off confirms the failure without waiting for Ready.",
  });

const priorityClass = z.strictObject({
  name: z.string().min(1),
  value: z.number().int().meta({ description: "Higher values restart first." }),
  startAfter: z
    .array(z.string())
    .default([])
    .meta({ description: "Classes whose VMs must be Running before this class starts." }),
  readyDelay: duration.default(0).meta({ description: "Extra wait after those classes are Running." }),
});

export const failoverPolicySpec = z
  .strictObject({
    nodeSelector: labelSelector.prefault({}),
    detection: z
      .strictObject({
        leaseTimeout: duration
          .default(20)
          .meta({ description: "A node whose Lease is not renewed for this long is suspect." }),
        notReadyTimeout: duration
          .default(10)
          .meta({ description: "How long Ready must be non-True to confirm the failure." }),
        powerStatus: powerStatus.optional(),
      })
      .prefault({}),
    maxUnhealthy: intOrPercent
      .default("40%")
      .meta({ description: "No fencing when more nodes than this look failed at once." }),
    fencing: z.strictObject({
      strategies: z
        .array(fenceStep)
        .min(1, "at least one fencing strategy is required")
        .meta({ description: "Tried in order; each escalates to the next on timeout." }),
      acknowledgeUnsafeNoFencing: z.boolean().default(false),
      release: z.enum(["OutOfServiceTaint", "DeletePods"]).default("OutOfServiceTaint").meta({
        description: "How the fenced node's VMs are released so KubeVirt restarts them.",
      }),
    }),
    restart: z
      .strictObject({
        priorityClasses: z.array(priorityClass).default([
          { name: "high", value: 300, startAfter: [], readyDelay: 0 },
          { name: "medium", value: 200, startAfter: [], readyDelay: 0 },
          { name: "low", value: 100, startAfter: [], readyDelay: 0 },
        ]),
        defaultClass: z.string().default("medium"),
      })
      .prefault({}),
    admissionControl: z
      .strictObject({
        hostFailuresToTolerate: z.number().int().min(0).default(1),
        enforce: z.boolean().default(false).meta({ description: "Keep balancing from spending the failover reserve." }),
      })
      .prefault({}),
  })
  .superRefine((spec, ctx) => {
    spec.fencing.strategies.forEach((step, index) => {
      if (step.type === "None" && !spec.fencing.acknowledgeUnsafeNoFencing) {
        ctx.addIssue({
          code: "custom",
          path: ["fencing", "strategies", index, "type"],
          message:
            "None restarts VMs without fencing and risks two copies writing one disk; set fencing.acknowledgeUnsafeNoFencing: true to accept that",
          params: { type: "Forbidden" },
        });
      }
    });
    const names = new Set(spec.restart.priorityClasses.map((c) => c.name));
    if (!names.has(spec.restart.defaultClass)) {
      ctx.addIssue({
        code: "custom",
        path: ["restart", "defaultClass"],
        message: `no priority class named ${spec.restart.defaultClass}`,
        params: { type: "NotSupported" },
      });
    }
    spec.restart.priorityClasses.forEach((priority, index) => {
      priority.startAfter.forEach((after, position) => {
        if (!names.has(after)) {
          ctx.addIssue({
            code: "custom",
            path: ["restart", "priorityClasses", index, "startAfter", position],
            message: `no priority class named ${after}`,
            params: { type: "NotSupported" },
          });
        }
      });
    });
  });

export type FailoverPolicySpec = z.output<typeof failoverPolicySpec>;
