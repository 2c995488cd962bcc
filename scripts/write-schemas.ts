/**
 * Writes the JSON Schemas for editors and the policy CRDs for deploy/crds/, all derived from the
 * same zod definitions the loader validates with. `npm run schema` regenerates them; tests fail
 * when they are stale.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { schemaDocuments } from "../src/adapters/files/json-schemas.ts";
import { policyCrdFiles } from "./policy-crds.ts";

const root = resolve(import.meta.dirname, "..");
for (const [file, schema] of Object.entries(schemaDocuments())) {
  await writeFile(resolve(root, "schema", file), `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote schema/${file}\n`);
}
for (const [file, text] of Object.entries(policyCrdFiles())) {
  await writeFile(resolve(root, "deploy", "crds", file), text);
  process.stdout.write(`wrote deploy/crds/${file}\n`);
}
