/**
 * Trace files for `traces` groups. Traces are data, not code: they live outside the repository,
 * under a traces root that KUBEDRS_TRACES names, or else ../shared/traces beside the repository.
 * They are read where they are and never copied in.
 */
import { readdir } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { FieldError } from "../../core/policy/field-error.ts";
import type { TraceFiles } from "./layout.ts";
import { REPOSITORY_ROOT } from "./library.ts";
import type { ScenarioSpec } from "./schema.ts";

export const TRACES_ENV = "KUBEDRS_TRACES";

export function tracesRoot(env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env[TRACES_ENV];
  return fromEnv !== undefined && fromEnv !== "" ? resolve(fromEnv) : resolve(REPOSITORY_ROOT, "../shared/traces");
}

async function traceFilesIn(directory: string): Promise<string[] | undefined> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) return undefined;
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith("."))
    .map((entry) => join(directory, entry.name))
    .sort();
}

/** The index-th of `of` runs of consecutive files, each ceil(n / of) long (the last may be shorter or empty). */
export function partOf<T>(files: readonly T[], part: { index: number; of: number } | undefined): readonly T[] {
  if (part === undefined) return files;
  const size = Math.ceil(files.length / part.of);
  return files.slice(part.index * size, (part.index + 1) * size);
}

export interface TraceResolution {
  readonly files: TraceFiles;
  readonly errors: readonly FieldError[];
}

/** Lists each `traces` group's files; a missing or empty directory is an error on its field. */
export async function resolveTraces(spec: ScenarioSpec, root: string): Promise<TraceResolution> {
  const files = new Map<string, readonly string[]>();
  const errors: FieldError[] = [];
  for (const [index, group] of spec.vmGroups.entries()) {
    if (group.traces === undefined) continue;
    const directory = isAbsolute(group.traces.directory) ? group.traces.directory : join(root, group.traces.directory);
    const found = await traceFilesIn(directory);
    if (found === undefined || found.length === 0) {
      errors.push({
        type: "Invalid",
        path: ["spec", "vmGroups", index, "traces", "directory"],
        message:
          `${found === undefined ? "no trace directory" : "no trace files in"} ${directory}; ` +
          `set ${TRACES_ENV} to the directory that holds ${group.traces.directory}`,
      });
      continue;
    }
    const part = partOf(found, group.traces.part);
    files.set(group.name, part.slice(0, group.traces.limit ?? part.length));
  }
  return { files, errors };
}
