/**
 * KubeVirt's own API schemas, from the swagger.json its repository publishes, for the OpenAPI v3
 * documents of kubevirt.io/v1 (so `kubectl explain vmi.spec.domain` works). The file is data, not
 * code: it is read where it lies, named by KUBEDRS_KUBEVIRT_SWAGGER or else found at
 * ../shared/kubevirt-examples/swagger.json beside the repository, and never copied in. Without it
 * the twin serves open schemas, which is all kubectl needs for everything else.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const KUBEVIRT_SWAGGER_ENV = "KUBEDRS_KUBEVIRT_SWAGGER";
const REPOSITORY_ROOT = resolve(import.meta.dirname, "../../..");

export type Schemas = Readonly<Record<string, Record<string, unknown>>>;

let cached: { file: string; schemas: Schemas | undefined } | undefined;

function swaggerFile(env: Readonly<Record<string, string | undefined>>): string {
  const named = env[KUBEVIRT_SWAGGER_ENV];
  return named ? resolve(named) : resolve(REPOSITORY_ROOT, "../shared/kubevirt-examples/swagger.json");
}

/** Swagger 2.0 `definitions`, with their references pointed at OpenAPI 3's `components/schemas`. */
function readSchemas(file: string): Schemas | undefined {
  try {
    const text = readFileSync(file, "utf8").replaceAll('"#/definitions/', '"#/components/schemas/');
    const definitions = (JSON.parse(text) as { definitions?: unknown }).definitions;
    return typeof definitions === "object" && definitions !== null ? (definitions as Schemas) : undefined;
  } catch {
    return undefined;
  }
}

/** The schemas by swagger name (`v1.VirtualMachineInstance`), or undefined without the file. */
export function kubevirtSchemas(env: Readonly<Record<string, string | undefined>> = process.env): Schemas | undefined {
  const file = swaggerFile(env);
  if (cached?.file !== file) cached = { file, schemas: readSchemas(file) };
  return cached.schemas;
}
