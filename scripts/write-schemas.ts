/**
 * Writes the JSON Schemas for editors and CRDs, derived from the same zod definitions the loader
 * validates with. `npm run schema` regenerates them; a test fails when they are stale.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { schemaDocuments } from "../src/adapters/files/json-schemas.ts";

const root = resolve(import.meta.dirname, "..");
for (const [file, schema] of Object.entries(schemaDocuments())) {
  await writeFile(resolve(root, "schema", file), `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote schema/${file}\n`);
}
