/**
 * The policy CRDs in deploy/crds/: up to date with the zod schemas (`npm run schema`),
 * structural as the API server demands, accepting every example policy without pruning a field,
 * refusing what is plainly wrong, and defaulting exactly as the policy loader does.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { decodePolicyDocument } from "../../src/core/policy/document.ts";
import { POLICY_RESOURCES, policyCrdFiles } from "../../scripts/policy-crds.ts";
import { DEPLOY, ROOT, parseManifests } from "./manifests.ts";

type Schema = Record<string, unknown>;

const generated = policyCrdFiles();
const CRD_DIR = join(DEPLOY, "crds");

function committedText(file: string): string {
  return readFileSync(join(CRD_DIR, file), "utf8");
}

function openApiSchema(kind: string): Schema {
  const resource = POLICY_RESOURCES.find((entry) => entry.kind === kind);
  const file = `kubedrs.io_${resource?.plural}.yaml`;
  const crd = parse(committedText(file)) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
  const schema = crd.spec.versions[0]?.schema.openAPIV3Schema;
  if (!schema) throw new Error(`${file} has no openAPIV3Schema`);
  return schema;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The structural-schema rules kube-apiserver checks a CRD's schema against, as problems found. */
function structuralProblems(node: Schema, path: string, inJunctor = false): string[] {
  const problems: string[] = [];
  const open = node["x-kubernetes-preserve-unknown-fields"] === true || node["x-kubernetes-int-or-string"] === true;
  if (!inJunctor && typeof node.type !== "string" && !open) problems.push(`${path}: no type`);
  for (const key of ["$ref", "$schema", "$defs", "const", "propertyNames", "prefixItems", "title", "examples"]) {
    if (key in node) problems.push(`${path}: ${key} is not allowed`);
  }
  if (node.uniqueItems === true) problems.push(`${path}: uniqueItems`);
  if (node.additionalProperties === false) problems.push(`${path}: additionalProperties false`);
  if (node.properties && node.additionalProperties) problems.push(`${path}: properties beside additionalProperties`);
  for (const key of ["exclusiveMinimum", "exclusiveMaximum"]) {
    if (key in node && typeof node[key] !== "boolean") problems.push(`${path}: ${key} must be a boolean`);
  }
  if (inJunctor) {
    for (const key of ["type", "description", "default", "additionalProperties", "nullable"]) {
      if (key in node) problems.push(`${path}: ${key} inside a junctor`);
    }
  }
  for (const [name, child] of Object.entries(isSchema(node.properties) ? node.properties : {})) {
    problems.push(...structuralProblems(child as Schema, `${path}.${name}`, inJunctor));
  }
  if (isSchema(node.items)) problems.push(...structuralProblems(node.items, `${path}[]`, inJunctor));
  if (isSchema(node.additionalProperties))
    problems.push(...structuralProblems(node.additionalProperties, `${path}{}`, inJunctor));
  for (const junctor of ["anyOf", "oneOf", "allOf"]) {
    for (const branch of Array.isArray(node[junctor]) ? (node[junctor] as Schema[]) : []) {
      const outside = Object.keys(isSchema(node.properties) ? node.properties : {});
      const inside = Object.keys(isSchema(branch.properties) ? branch.properties : {});
      const required = Array.isArray(branch.required) ? (branch.required as string[]) : [];
      for (const name of [...inside, ...required].filter((field) => !outside.includes(field))) {
        problems.push(`${path}.${junctor}: ${name} is not specified outside the junctor`);
      }
      problems.push(...structuralProblems(branch, `${path}.${junctor}`, true));
    }
  }
  return problems;
}

/**
 * The schema as Ajv reads it: OpenAPI 3.0's boolean exclusive bounds, nullable and Kubernetes'
 * extensions spelled in JSON Schema, and every object closed, as kubectl's strict field
 * validation treats unknown fields (which the API server would otherwise drop silently).
 */
function forAjv(node: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "properties" && isSchema(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, forAjv(child as Schema)]),
      );
    } else if ((key === "items" || key === "additionalProperties") && isSchema(value)) out[key] = forAjv(value);
    else if ((key === "anyOf" || key === "oneOf") && Array.isArray(value)) out[key] = (value as Schema[]).map(forAjv);
    else if (!key.startsWith("x-kubernetes-") && key !== "nullable" && !key.startsWith("exclusiveM")) out[key] = value;
  }
  if (node.exclusiveMinimum === true) Object.assign(out, { exclusiveMinimum: node.minimum, minimum: undefined });
  if (node.exclusiveMaximum === true) Object.assign(out, { exclusiveMaximum: node.maximum, maximum: undefined });
  if (node["x-kubernetes-int-or-string"] === true) out.type = ["integer", "string"];
  if (node.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  if (node.type === "object" && out.properties && node["x-kubernetes-preserve-unknown-fields"] !== true) {
    out.additionalProperties = false;
  }
  return JSON.parse(JSON.stringify(out)) as Schema;
}

/** The two string formats the schemas use, roughly as kube-openapi's strfmt checks them. */
const FORMATS = {
  uri: (text: string): boolean => URL.canParse(text),
  "date-time": (text: string): boolean => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(text),
};

const ajv = new Ajv2020({ strict: false, allErrors: true, formats: FORMATS });
const ajvDefaulting = new Ajv2020({ strict: false, useDefaults: true, formats: FORMATS });

function validator(kind: string): (document: unknown) => string[] {
  const validate = ajv.compile(forAjv(openApiSchema(kind)));
  return (document) =>
    validate(document) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

/** The document as the API server stores it: the CRD's defaults filled in. */
function withCrdDefaults(kind: string, document: unknown): unknown {
  const copy = structuredClone(document);
  ajvDefaulting.compile(forAjv(openApiSchema(kind)))(copy);
  return copy;
}

function examples(): { file: string; document: { kind: string; metadata: { name: string } } }[] {
  return readdirSync(join(ROOT, "policies"))
    .filter((file) => file.endsWith(".yaml"))
    .flatMap((file) =>
      parseManifests(readFileSync(join(ROOT, "policies", file), "utf8"), file).map((document) => ({
        file,
        document: document,
      })),
    );
}

function policy(kind: string, spec?: Schema): Schema {
  return { apiVersion: "kubedrs.io/v1alpha1", kind, metadata: { name: "x" }, ...(spec && { spec }) };
}

const MINIMAL: readonly Schema[] = [
  policy("BalancePolicy"),
  policy("BalancePolicy", {}),
  policy("PlacementRule", { type: "VmAntiAffinity", enforcement: "Required", vms: {} }),
  policy("MigrationProfile", { vms: { selector: { matchLabels: { tier: "db" } } } }),
  policy("MaintenancePolicy", {}),
  policy("FailoverPolicy", { fencing: { strategies: [{ type: "SelfNodeRemediation" }] } }),
];

describe("the policy CRDs", () => {
  it.each(Object.keys(generated))("%s is up to date (npm run schema)", (file) => {
    expect(committedText(file)).toBe(generated[file]);
  });

  it("are exactly the generated files", () => {
    expect(readdirSync(CRD_DIR).sort()).toEqual(Object.keys(generated).sort());
  });

  it.each(POLICY_RESOURCES.map((resource) => resource.kind))("%s has a structural schema", (kind) => {
    expect(structuralProblems(openApiSchema(kind), kind)).toEqual([]);
  });

  it.each(POLICY_RESOURCES.map((resource) => [resource.kind, resource.columns] as const))(
    "%s prints columns that point at fields of its schema",
    (kind, columns) => {
      const missing = columns
        .map((column) => column.jsonPath)
        .filter((path) => path.startsWith(".spec."))
        .filter((path) => {
          let node: Schema | undefined = openApiSchema(kind);
          for (const part of path
            .slice(1)
            .replace(/\[\d+\]/g, "[]")
            .split(".")) {
            const name = part.replace("[]", "");
            node = (node?.properties as Record<string, Schema> | undefined)?.[name];
            if (part.endsWith("[]")) node = node?.items as Schema | undefined;
          }
          return node === undefined;
        });
      expect(missing).toEqual([]);
    },
  );

  it.each(
    examples().map(({ file, document }) => [`${file} ${document.kind}/${document.metadata.name}`, document] as const),
  )("accept the example %s with every field known", (_name, document) => {
    expect(validator(document.kind)(document)).toEqual([]);
  });

  it.each([
    ["an unknown automation level", policy("BalancePolicy", { automation: "Sometimes" }), "/spec/automation"],
    ["aggressiveness 9", policy("BalancePolicy", { aggressiveness: 9 }), "/spec/aggressiveness"],
    ["a misspelt field", policy("BalancePolicy", { agressiveness: 3 }), "/spec"],
    ["a ceiling of 0", policy("BalancePolicy", { utilization: { maxCpu: 0 } }), "/spec/utilization/maxCpu"],
    ["a rule without enforcement", policy("PlacementRule", { type: "VmAffinity", vms: {} }), "/spec"],
    [
      "a freeze window that is neither dated nor weekly",
      policy("BalancePolicy", { schedule: { freezeWindows: [{ reason: "x" }] } }),
      "/spec/schedule/freezeWindows/0",
    ],
    ["no fencing strategy", policy("FailoverPolicy", { fencing: { strategies: [] } }), "/spec/fencing/strategies"],
    [
      "FenceAgents without a template",
      policy("FailoverPolicy", { fencing: { strategies: [{ type: "FenceAgents" }] } }),
      "/spec/fencing/strategies/0",
    ],
    [
      "a fractional max unhealthy count",
      policy("FailoverPolicy", { fencing: { strategies: [{ type: "None" }] }, maxUnhealthy: 1.5 }),
      "/spec/maxUnhealthy",
    ],
    ["a placement rule without a spec", policy("PlacementRule"), ""],
  ])("refuse %s", (_what, document, path) => {
    const errors = validator(String(document.kind))(document);
    expect(errors.some((error) => error.startsWith(`${path} `))).toBe(true);
  });

  it.each(
    MINIMAL.map((document) => [`${String(document.kind)}${document.spec ? "" : " without a spec"}`, document] as const),
  )("accept a minimal %s", (_name, document) => {
    expect(validator(String(document.kind))(document)).toEqual([]);
  });

  it.each(
    [...examples().map(({ document }) => document as unknown as Schema), ...MINIMAL].map(
      (document) => [`${String(document.kind)}/${String((document.metadata as Schema).name)}`, document] as const,
    ),
  )("default %s as the policy loader does", (_name, document) => {
    const kind = String(document.kind);
    const stored = withCrdDefaults(kind, document);
    expect(validator(kind)(stored)).toEqual([]);
    const direct = decodePolicyDocument(document);
    const viaCrd = decodePolicyDocument(stored);
    expect(direct.ok).toBe(true);
    expect(viaCrd).toEqual(direct);
  });

  it("fill in defaults the API server stores (so kubectl get shows them)", () => {
    const stored = withCrdDefaults("BalancePolicy", policy("BalancePolicy", {})) as { spec: Schema };
    expect(stored.spec).toMatchObject({
      automation: "Recommend",
      aggressiveness: 3,
      limits: { maxParallelMigrations: 5 },
    });
  });
});
