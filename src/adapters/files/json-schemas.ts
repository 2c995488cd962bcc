/** JSON Schemas of kubedrs' documents, generated from their zod definitions (the input form: what a file may say). */
import { z } from "zod";
import { clusterSnapshotSchema } from "../../core/model/snapshot.ts";
import { policyDocumentSchema } from "../../core/policy/document.ts";
import { scenarioJsonSchema } from "../../twin/scenario/json-schema.ts";

function jsonSchema(schema: z.ZodType, id: string): Record<string, unknown> {
  return { $id: id, ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) };
}

export function schemaDocuments(): Record<string, Record<string, unknown>> {
  return {
    "policy.schema.json": jsonSchema(policyDocumentSchema, "https://kubedrs.io/schema/v1alpha1/policy.schema.json"),
    "cluster-snapshot.schema.json": jsonSchema(
      clusterSnapshotSchema,
      "https://kubedrs.io/schema/v1alpha1/cluster-snapshot.schema.json",
    ),
    "twin-scenario.schema.json": scenarioJsonSchema(),
  };
}
