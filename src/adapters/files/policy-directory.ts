/**
 * Loads a directory of policy files (a Git checkout): every *.yaml, *.yml and *.json file, every
 * document in it. Returns the policy set when all is valid, and every error with file and line.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { decodePolicyDocument } from "../../core/policy/document.ts";
import type { LocatedFieldError } from "../../core/policy/field-error.ts";
import { type LocatedDocument, type PolicySet, assemblePolicySet } from "../../core/policy/policy-set.ts";
import { parseSource, type SourceDocument } from "./source-documents.ts";

export interface PolicyLoadResult {
  readonly set: PolicySet;
  readonly errors: readonly LocatedFieldError[];
  readonly files: readonly string[];
}

const POLICY_FILE = /\.(ya?ml|json)$/i;

async function listPolicyFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && POLICY_FILE.test(entry.name) && !entry.name.startsWith("."))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Decodes already-read texts; split from the directory walk so tests and the CRD source can share it. */
export function loadPolicyTexts(texts: readonly { file: string; text: string }[]): Omit<PolicyLoadResult, "files"> {
  const errors: LocatedFieldError[] = [];
  const located: { document: LocatedDocument; origin: SourceDocument }[] = [];
  for (const { file, text } of texts) {
    const { documents, problems } = parseSource(file, text);
    for (const problem of problems)
      errors.push({ ...problem, type: "Invalid", path: [], message: `YAML syntax: ${problem.message}` });
    for (const origin of documents) decodeInto(origin, located, errors);
  }
  const { set, errors: crossErrors } = assemblePolicySet(located.map((entry) => entry.document));
  for (const error of crossErrors) {
    const origin = located[error.document]?.origin;
    if (origin)
      errors.push({
        type: error.type,
        path: error.path,
        message: error.message,
        file: origin.file,
        ...origin.locate(error.path),
      });
  }
  return { set, errors: errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)) };
}

function decodeInto(
  origin: SourceDocument,
  located: { document: LocatedDocument; origin: SourceDocument }[],
  errors: LocatedFieldError[],
): void {
  const decoded = decodePolicyDocument(origin.value);
  if (decoded.ok) {
    located.push({
      document: { document: decoded.document, source: { file: origin.file, line: origin.line } },
      origin,
    });
    return;
  }
  for (const error of decoded.errors) errors.push({ ...error, file: origin.file, ...origin.locate(error.path) });
}

export async function loadPolicyDirectory(directory: string, displayRoot = process.cwd()): Promise<PolicyLoadResult> {
  const paths = await listPolicyFiles(directory);
  const texts = await Promise.all(
    paths.map(async (path) => ({ file: relative(displayRoot, path) || path, text: await readFile(path, "utf8") })),
  );
  return { ...loadPolicyTexts(texts), files: texts.map((entry) => entry.file) };
}
