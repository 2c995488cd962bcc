/**
 * The CustomResourceDefinitions of kubedrs's five policy kinds (kubedrs.io/v1alpha1, cluster
 * scoped), their schemas derived from the same zod definitions the policy loader validates with,
 * so a policy applied as a custom resource and a policy file in Git are one format.
 * `npm run schema` writes them to deploy/crds/; a test fails when the committed files are stale.
 */
import { z } from "zod";
import { stringify } from "yaml";
import { POLICY_API_VERSION, type PolicyKind, policyDocumentSchemas } from "../src/core/policy/document.ts";
import {
  POLICY_GROUP,
  POLICY_RESOURCES as RESOURCES,
  POLICY_VERSION,
  type PolicyResource as Resource,
} from "../src/core/policy/resources.ts";
import { structuralSchema } from "./structural-schema.ts";

export { POLICY_GROUP, POLICY_VERSION } from "../src/core/policy/resources.ts";

interface PrinterColumn {
  readonly name: string;
  readonly type: "string" | "integer" | "number" | "boolean" | "date";
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

interface CrdDetails {
  readonly description: string;
  readonly columns: readonly PrinterColumn[];
}

interface PolicyResource extends Resource, CrdDetails {}

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

/** What each kind's CRD says beyond its names: a description and printer columns. */
const CRD_DETAILS: Readonly<Record<PolicyKind, CrdDetails>> = {
  BalancePolicy: {
    description:
      "How kubedrs balances a pool of nodes, like a vSphere DRS cluster's settings: automation level, aggressiveness (the migration threshold), utilization ceilings, metrics, schedule, limits and anti-thrashing.",
    columns: [
      { name: "Automation", type: "string", jsonPath: ".spec.automation", description: "Off, Recommend or Automatic" },
      { name: "Aggressiveness", type: "integer", jsonPath: ".spec.aggressiveness", description: "1 to 5" },
      { name: "Source", type: "string", jsonPath: ".spec.metrics.source", priority: 1 },
      age,
    ],
  },
  PlacementRule: {
    description:
      "A VM-VM or VM-Host rule, must (Required) or should (Preferred), as in vSphere DRS. Required rules are never broken by balancing, evacuation or restarts.",
    columns: [
      { name: "Type", type: "string", jsonPath: ".spec.type" },
      { name: "Enforcement", type: "string", jsonPath: ".spec.enforcement" },
      { name: "Topology", type: "string", jsonPath: ".spec.topologyKey", priority: 1 },
      age,
    ],
  },
  MigrationProfile: {
    description:
      "Live-migration tuning for a group of VMs, like vMotion settings. kubedrs renders each profile into a KubeVirt MigrationPolicy it owns.",
    columns: [
      { name: "Priority", type: "integer", jsonPath: ".spec.priority" },
      { name: "Post-Copy", type: "boolean", jsonPath: ".spec.allowPostCopy" },
      { name: "Auto-Converge", type: "boolean", jsonPath: ".spec.allowAutoConverge" },
      { name: "Bandwidth", type: "string", jsonPath: ".spec.bandwidthPerMigration", priority: 1 },
      age,
    ],
  },
  MaintenancePolicy: {
    description:
      "How kubedrs evacuates a node in maintenance, like vSphere maintenance mode, what it does with VMs that cannot live-migrate, and which node conditions trigger a proactive evacuation.",
    columns: [
      { name: "Unmigratable", type: "string", jsonPath: ".spec.unmigratable.defaultAction" },
      { name: "Move-Back", type: "boolean", jsonPath: ".spec.moveBack" },
      { name: "Proactive", type: "boolean", jsonPath: ".spec.proactive.enabled", priority: 1 },
      age,
    ],
  },
  FailoverPolicy: {
    description:
      "Host-failure detection, fencing and VM restart, like vSphere HA. Fencing must be confirmed before any VM restarts elsewhere.",
    columns: [
      { name: "Fencing", type: "string", jsonPath: ".spec.fencing.strategies[0].type", description: "First strategy" },
      { name: "Release", type: "string", jsonPath: ".spec.fencing.release" },
      { name: "Max-Unhealthy", type: "string", jsonPath: ".spec.maxUnhealthy", priority: 1 },
      age,
    ],
  },
};

export const POLICY_RESOURCES: readonly PolicyResource[] = RESOURCES.map((resource) => ({
  ...resource,
  ...CRD_DETAILS[resource.kind],
}));

type Schema = Record<string, unknown>;

/** The document's JSON Schema in its input form (what a user may write), as for editors. */
function documentJsonSchema(kind: PolicyKind): Schema {
  return z.toJSONSchema(policyDocumentSchemas[kind], {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
  });
}

/** The CRD's openAPIV3Schema: apiVersion, kind and metadata as every CRD has them, and the spec from zod. */
export function policyOpenApiSchema(resource: PolicyResource): Schema {
  const document = documentJsonSchema(resource.kind);
  const converted = structuralSchema(document);
  const properties = (converted.properties ?? {}) as Record<string, Schema>;
  const required = Array.isArray(converted.required) && converted.required.includes("spec");
  return {
    description: `${resource.kind}: ${resource.description}`,
    type: "object",
    properties: {
      apiVersion: { description: `Always ${POLICY_API_VERSION}.`, type: "string" },
      kind: { description: `Always ${resource.kind}.`, type: "string" },
      // Only name and generateName may be constrained here; the API server checks the rest.
      metadata: { type: "object" },
      ...(properties.spec && { spec: properties.spec }),
    },
    ...(required && { required: ["spec"] }),
  };
}

export function policyCrd(resource: PolicyResource): Schema {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${resource.plural}.${POLICY_GROUP}`,
      labels: { "app.kubernetes.io/name": "kubedrs" },
    },
    spec: {
      group: POLICY_GROUP,
      scope: "Cluster",
      names: {
        kind: resource.kind,
        listKind: `${resource.kind}List`,
        plural: resource.plural,
        singular: resource.kind.toLowerCase(),
        shortNames: resource.shortNames,
        categories: ["kubedrs"],
      },
      versions: [
        {
          name: POLICY_VERSION,
          served: true,
          storage: true,
          additionalPrinterColumns: resource.columns,
          schema: { openAPIV3Schema: policyOpenApiSchema(resource) },
        },
      ],
    },
  };
}

/** File name (under deploy/crds/) → YAML text, as `npm run schema` writes them. */
export function policyCrdFiles(): Record<string, string> {
  const header = "# Generated by `npm run schema` from the zod schemas in src/core/policy/. Do not edit.\n";
  return Object.fromEntries(
    POLICY_RESOURCES.map((resource) => [
      `${POLICY_GROUP}_${resource.plural}.yaml`,
      header + stringify(policyCrd(resource), { lineWidth: 0, aliasDuplicateObjects: false }),
    ]),
  );
}
