/**
 * Timed events, one kind per `type`. A scenario lists them with `at` (time since the start); the
 * control endpoint takes the same objects without `at` and applies them at once.
 *
 * Host events name their hosts with `node`, `nodes`, `pool` and `zone` (together: the nodes that
 * match all that are given) and may take a `fraction` of those, chosen with the seeded random
 * source: `{ type: partition, fraction: 0.5 }` cuts off half the cluster.
 */
import { z } from "zod";
import { duration } from "../../core/schema/fields.ts";

const hostTarget = {
  node: z.string().min(1).optional().meta({ description: "One host." }),
  nodes: z.array(z.string().min(1)).min(1).optional().meta({ description: "Several hosts." }),
  pool: z.string().min(1).optional().meta({ description: "Every host of a node pool." }),
  zone: z.string().min(1).optional().meta({ description: "Every host in a zone." }),
  fraction: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .meta({ description: "Only this share of the hosts selected (all hosts when nothing else is given)." }),
};

export type HostTarget = { [K in keyof typeof hostTarget]?: z.output<(typeof hostTarget)[K]> };

const lasting = {
  for: duration.optional().meta({ description: "Undo the event after this long; it lasts until undone otherwise." }),
};

function namesHosts(target: HostTarget): boolean {
  return Object.keys(hostTarget).some((key) => target[key as keyof HostTarget] !== undefined);
}

const NO_HOSTS = {
  message: "name the hosts: node, nodes, pool, zone or fraction",
  path: ["node"],
  params: { type: "Required" },
};

// Zod schema builders return inferred schema types that are clearer unwritten (as in src/core/policy).
// eslint-disable-next-line @typescript-eslint/explicit-function-return-type
function hostEvent<T extends string, S extends z.ZodRawShape>(type: T, shape: S, description: string) {
  return z
    .strictObject({ type: z.literal(type), ...hostTarget, ...shape })
    .refine((event) => namesHosts(event as HostTarget), NO_HOSTS)
    .meta({ description });
}

/** Every event kind, with `timing` (the scenario's `at`, or nothing for injected events) added to each. */
// eslint-disable-next-line @typescript-eslint/explicit-function-return-type
function eventMembers<A extends z.ZodRawShape>(timing: A) {
  return [
    hostEvent("power-off", { ...timing, ...lasting }, "The hosts lose power: every guest on them dies."),
    hostEvent("power-on", timing, "Power comes back; the hosts boot empty."),
    hostEvent("partition", { ...timing, ...lasting }, "The hosts drop off the cluster network; guests keep running."),
    hostEvent("heal", timing, "The hosts' network comes back."),
    hostEvent("bmc-unreachable", { ...timing, ...lasting }, "The hosts' BMCs stop answering: fencing them fails."),
    hostEvent("bmc-restore", timing, "The hosts' BMCs answer again."),
    hostEvent(
      "flap",
      {
        ...timing,
        period: duration.default(30).meta({ description: "Time between toggles." }),
        count: z.number().int().min(1).default(6).meta({ description: "Toggles; an odd count ends partitioned." }),
      },
      "The hosts' network toggles down and up every period.",
    ),
    hostEvent(
      "maintenance",
      { ...timing, ...lasting, reason: z.string().default("scenario maintenance") },
      "An admin asks for maintenance: a medik8s NodeMaintenance per host (deleted after `for`).",
    ),
    hostEvent("end-maintenance", timing, "The hosts' NodeMaintenances are deleted."),
    hostEvent(
      "degraded-hardware",
      {
        ...timing,
        ...lasting,
        condition: z.string().min(1).default("KernelDeadlock").meta({ description: "The node condition set True." }),
        reason: z.string().default("HardwareDegraded"),
        message: z.string().default("the twin reports degraded hardware"),
      },
      "A node problem detector reports a fault: a node condition turns True.",
    ),
    z
      .strictObject({
        type: z.literal("load-spike"),
        ...timing,
        ...lasting,
        group: z.string().min(1).optional().meta({ description: "Every VM of a VM group." }),
        vm: z
          .string()
          .regex(/^[^/]+\/[^/]+$/, "must be namespace/name")
          .optional()
          .meta({ description: "One VM, as namespace/name." }),
        factor: z.number().min(0).meta({ description: "Multiplies the VMs' load (1 = as the load curve says)." }),
      })
      .refine((event: { group?: unknown; vm?: unknown }) => (event.group === undefined) !== (event.vm === undefined), {
        message: "set exactly one of group or vm",
        path: ["group"],
      })
      .meta({ description: "The VMs' load is multiplied by `factor` (annotation twin.kubedrs.io/load-factor)." }),
  ] as const;
}

const at = {
  at: duration.meta({ description: "When, as time since the scenario's start (e.g. 10m)." }),
};

export const scenarioEventSchema = z.discriminatedUnion("type", eventMembers(at));
export const injectedEventSchema = z.discriminatedUnion("type", eventMembers({}));

export type ScenarioEvent = z.output<typeof scenarioEventSchema>;
/** An event without a time: what the control endpoint applies at once. */
export type TwinEvent = z.output<typeof injectedEventSchema>;
export type EventType = TwinEvent["type"];
export type HostEvent = Exclude<TwinEvent, { type: "load-spike" }>;

export const EVENT_TYPES: readonly EventType[] = injectedEventSchema.options.map((option) => option.shape.type.value);
