/**
 * Reads a ClusterSnapshot file (JSON or YAML). Every problem comes back with the file, the line
 * and the field path; JSON is parsed natively for speed and re-read for line numbers only when
 * something is wrong.
 */
import type { z } from "zod";
import { clusterSnapshotSchema, type ClusterSnapshot, snapshotNode, snapshotVm } from "../../core/model/snapshot.ts";
import { type FieldError, type LocatedFieldError, fieldErrorsFromZod } from "../../core/policy/field-error.ts";
import { parseSource } from "./source-documents.ts";
import { readSource } from "./read-source.ts";

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

type Decoded = { readonly snapshot: ClusterSnapshot } | { readonly errors: FieldError[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decodes a snapshot one node and one VM at a time, dropping each raw element once decoded: a
 * 30,000-VM file then never holds its raw and decoded forms side by side, which keeps peak memory
 * near one copy. The result and errors are the same as decoding it whole.
 */
function decodeSnapshot(value: unknown): Decoded {
  if (!isRecord(value) || !Array.isArray(value.nodes) || !Array.isArray(value.vms ?? [])) {
    const whole = clusterSnapshotSchema.safeParse(value, { reportInput: true });
    return whole.success ? { snapshot: whole.data } : { errors: fieldErrorsFromZod(whole.error.issues) };
  }
  const errors: FieldError[] = [];
  const nodes = decodeEach(value.nodes, snapshotNode, "nodes", errors);
  const vms = decodeEach((value.vms as unknown[] | undefined) ?? [], snapshotVm, "vms", errors);
  const envelope = clusterSnapshotSchema.safeParse({ ...value, nodes: [], vms: [] }, { reportInput: true });
  if (!envelope.success) errors.push(...fieldErrorsFromZod(envelope.error.issues));
  if (errors.length > 0 || !envelope.success) return { errors };
  return { snapshot: { ...envelope.data, nodes, vms } };
}

function decodeEach<T>(raw: unknown[], schema: z.ZodType<T>, field: string, errors: FieldError[]): T[] {
  const decoded: T[] = [];
  raw.forEach((item, index) => {
    const result = schema.safeParse(item, { reportInput: true });
    if (result.success) decoded.push(result.data);
    else errors.push(...fieldErrorsFromZod(result.error.issues, [field, index]));
    raw[index] = undefined;
  });
  return decoded;
}

export function loadSnapshotText(file: string, text: string): SnapshotLoad {
  const parsed = parseText(file, text);
  if ("errors" in parsed) return { ok: false, errors: parsed.errors };
  const decoded = decodeSnapshot(parsed.value);
  const errors = "snapshot" in decoded ? snapshotReferenceErrors(decoded.snapshot) : decoded.errors;
  if (errors.length > 0 || !("snapshot" in decoded)) return { ok: false, errors: locate(file, text, errors) };
  return { ok: true, snapshot: decoded.snapshot };
}

export async function loadSnapshotFile(file: string): Promise<SnapshotLoad> {
  const read = await readSource(file, "the snapshot");
  if (!read.ok) return read;
  return loadSnapshotText(file, read.text);
}
