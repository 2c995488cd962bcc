/**
 * The TwinScenario document: a simulated cluster (node pools, VM groups, KubeVirt settings,
 * MigrationPolicies, any other objects) and a timeline of events. Defined once in zod; the
 * TypeScript types, the validator and the JSON Schema (json-schema.ts) all derive from it.
 */
import { z } from "zod";
import { duration, labels } from "../../core/schema/fields.ts";
import { scenarioEventSchema } from "./event-schema.ts";
import { kubevirtConfigSchema, migrationPolicySchema } from "./kubevirt-schema.ts";
import { dnsLabel, nodePoolSchema } from "./pool-schema.ts";
import { vmGroupSchema } from "./vm-group-schema.ts";

export const SCENARIO_API_VERSION = "kubedrs.io/v1alpha1";
export const SCENARIO_KIND = "TwinScenario";
export const DEFAULT_START = "2026-11-22T08:00:00Z";

const namespaceSchema = z.strictObject({ name: dnsLabel, labels: labels.default({}) });

/** Any other object the twin serves (a FenceAgentsRemediationTemplate, a PodDisruptionBudget, …). */
const extraObjectSchema = z
  .looseObject({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional() }),
  })
  .meta({ description: "A Kubernetes object created as is, of a kind the twin serves." });

const startTime = z.iso
  .datetime({ offset: true })
  .default(DEFAULT_START)
  .transform((text) => Date.parse(text))
  .meta({ description: `The virtual time the scenario starts at (RFC 3339; default ${DEFAULT_START}).` });

export const scenarioSpecSchema = z.strictObject({
  seed: z
    .number()
    .int()
    .optional()
    .meta({ description: "The seed for every random choice; kubedrs twin --seed overrides it." }),
  start: startTime,
  duration: duration
    .refine((seconds) => seconds > 0, "must be longer than 0")
    .meta({ description: "How long the scenario runs in virtual time (e.g. 1h)." }),
  kubevirt: kubevirtConfigSchema.prefault({}),
  namespaces: z
    .array(namespaceSchema)
    .default([])
    .meta({ description: "Namespaces with labels; the groups' namespaces are created anyway." }),
  nodePools: z.array(nodePoolSchema).min(1),
  vmGroups: z.array(vmGroupSchema).default([]),
  migrationPolicies: z.array(migrationPolicySchema).default([]),
  objects: z.array(extraObjectSchema).default([]),
  events: z.array(scenarioEventSchema).default([]),
});

export const twinScenarioSchema = z
  .strictObject({
    apiVersion: z.literal(SCENARIO_API_VERSION),
    kind: z.literal(SCENARIO_KIND),
    metadata: z.strictObject({
      name: dnsLabel,
      description: z.string().optional(),
    }),
    spec: scenarioSpecSchema,
  })
  .meta({ title: "kubedrs TwinScenario", description: "A simulated KubeVirt cluster and a timeline of events." });

export type TwinScenario = z.output<typeof twinScenarioSchema>;
export type TwinScenarioInput = z.input<typeof twinScenarioSchema>;
export type ScenarioSpec = TwinScenario["spec"];
export type ExtraObject = z.output<typeof extraObjectSchema>;
