import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { schemaDocuments } from "../../src/adapters/files/json-schemas.ts";
import { encodeSnapshot } from "../../src/core/model/snapshot-encode.ts";
import { generateSnapshot } from "../../src/synth/index.ts";

const root = resolve(import.meta.dirname, "../..");
const generated = schemaDocuments();

function committed(file: string): unknown {
  return JSON.parse(readFileSync(resolve(root, "schema", file), "utf8"));
}

function examplePolicies(): unknown[] {
  const files = ["balance", "placement-rules", "migration-profiles", "maintenance", "failover"];
  return files.flatMap((name) =>
    parseAllDocuments(readFileSync(resolve(root, "policies", `${name}.yaml`), "utf8")).map(
      (doc) => doc.toJS() as unknown,
    ),
  );
}

describe("the JSON Schemas", () => {
  it.each(Object.keys(generated))("%s is up to date (npm run schema)", (file) => {
    expect(committed(file)).toEqual(generated[file]);
  });

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const policy = ajv.compile(committed("policy.schema.json") as object);
  const snapshot = ajv.compile(committed("cluster-snapshot.schema.json") as object);

  it("accepts every example policy in policies/", () => {
    const documents = examplePolicies();
    expect(documents.length).toBeGreaterThanOrEqual(5);
    for (const document of documents) expect(policy(document), JSON.stringify(policy.errors)).toBe(true);
  });

  it.each([
    ["an unknown kind", { apiVersion: "kubedrs.io/v1alpha1", kind: "DrsCluster", metadata: { name: "x" } }],
    [
      "an unknown field",
      { apiVersion: "kubedrs.io/v1alpha1", kind: "BalancePolicy", metadata: { name: "x" }, spec: { agressiveness: 3 } },
    ],
    [
      "an out-of-range level",
      {
        apiVersion: "kubedrs.io/v1alpha1",
        kind: "BalancePolicy",
        metadata: { name: "x" },
        spec: { aggressiveness: 9 },
      },
    ],
    [
      "a rule without enforcement",
      {
        apiVersion: "kubedrs.io/v1alpha1",
        kind: "PlacementRule",
        metadata: { name: "x" },
        spec: { type: "VmAffinity", vms: {} },
      },
    ],
  ])("rejects a policy with %s", (_name, document) => {
    expect(policy(document)).toBe(false);
  });

  it("accepts a generated snapshot in file form and rejects a broken one", () => {
    const encoded = encodeSnapshot(generateSnapshot({ nodes: 6, vms: 40, seed: 2 }));
    expect(snapshot(encoded), JSON.stringify(snapshot.errors?.slice(0, 3))).toBe(true);
    expect(snapshot({ ...encoded, nodes: [{ name: "n1" }] })).toBe(false);
  });
});
