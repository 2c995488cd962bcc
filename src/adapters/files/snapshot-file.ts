/**
 * Reads a ClusterSnapshot file (JSON or YAML). Every problem comes back with the file, the line
 * and the field path; JSON is parsed natively for speed and re-read for line numbers only when
 * something is wrong.
 */
import { readFile } from "node:fs/promises";
import { clusterSnapshotSchema, type ClusterSnapshot } from "../../core/model/snapshot.ts";
import { type FieldError, type LocatedFieldError, fieldErrorsFromZod } from "../../core/policy/field-error.ts";
import { parseSource } from "./source-documents.ts";

export type SnapshotLoad =
  | { readonly ok: true; readonly snapshot: ClusterSnapshot }
  | { readonly ok: false; readonly errors: readonly LocatedFieldError[] };

/** References the schema alone cannot check: unique names, VMs on known nodes. */
export function snapshotReferenceErrors(snapshot: ClusterSnapshot): FieldError[] {
  const errors: FieldError[] = [];
  const nodes = new Set<string>();
  snapshot.nodes.forEach((node, index) => {
    if (nodes.has(node.name))
      errors.push({ type: "Duplicate", path: ["nodes", index, "name"], message: `node ${node.name} appears twice` });
    nodes.add(node.name);
  });
  const vms = new Set<string>();
  snapshot.vms.forEach((vm, index) => {
    const key = `${vm.namespace}/${vm.name}`;
    if (vms.has(key))
      errors.push({ type: "Duplicate", path: ["vms", index, "name"], message: `VM ${key} appears twice` });
    vms.add(key);
    if (!nodes.has(vm.node))
      errors.push({
        type: "NotSupported",
        path: ["vms", index, "node"],
        message: `no node named ${vm.node} in the snapshot`,
      });
  });
  return errors;
}

function parseText(file: string, text: string): { value: unknown } | { errors: LocatedFieldError[] } {
  if (/\.json$/i.test(file)) {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // V8 says where: "... at position 71 (line 4 column 3)".
      const where = /line (\d+) column (\d+)/.exec(message);
      const line = where ? Number(where[1]) : 1;
      const column = where ? Number(where[2]) : 1;
      return { errors: [{ file, line, column, type: "Invalid", path: [], message: `JSON syntax: ${message}` }] };
    }
  }
  const { documents, problems } = parseSource(file, text);
  if (problems.length > 0)
    return {
      errors: problems.map((problem) => ({
        ...problem,
        type: "Invalid",
        path: [],
        message: `YAML syntax: ${problem.message}`,
      })),
    };
  if (documents.length !== 1)
    return {
      errors: [
        {
          file,
          line: 1,
          column: 1,
          type: "Invalid",
          path: [],
          message: `expected one snapshot document, found ${documents.length}`,
        },
      ],
    };
  return { value: documents[0]?.value };
}

/** Attaches lines to errors by reading the text as YAML (JSON is YAML), falling back to line 1. */
function locate(file: string, text: string, errors: readonly FieldError[]): LocatedFieldError[] {
  const document = parseSource(file, text).documents[0];
  return errors.map((error) => ({
    ...error,
    file,
    ...(document ? document.locate(error.path) : { line: 1, column: 1 }),
  }));
}

export function loadSnapshotText(file: string, text: string): SnapshotLoad {
  const parsed = parseText(file, text);
  if ("errors" in parsed) return { ok: false, errors: parsed.errors };
  const result = clusterSnapshotSchema.safeParse(parsed.value, { reportInput: true });
  const errors = result.success ? snapshotReferenceErrors(result.data) : fieldErrorsFromZod(result.error.issues);
  if (errors.length > 0 || !result.success) return { ok: false, errors: locate(file, text, errors) };
  return { ok: true, snapshot: result.data };
}

export async function loadSnapshotFile(file: string): Promise<SnapshotLoad> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    return {
      ok: false,
      errors: [{ file, line: 0, column: 0, type: "Invalid", path: [], message: `cannot read the snapshot: ${reason}` }],
    };
  }
  return loadSnapshotText(file, text);
}
