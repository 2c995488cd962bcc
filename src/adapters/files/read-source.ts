/** Reads a document file; a file that cannot be read is one located error, like any other. */
import { readFile } from "node:fs/promises";
import type { LocatedFieldError } from "../../core/policy/field-error.ts";

export type SourceRead = { ok: true; text: string } | { ok: false; errors: LocatedFieldError[] };

/** `what` names the document in the message: "the snapshot", "the scenario". */
export async function readSource(file: string, what: string): Promise<SourceRead> {
  try {
    return { ok: true, text: await readFile(file, "utf8") };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    return {
      ok: false,
      errors: [{ file, line: 0, column: 0, type: "Invalid", path: [], message: `cannot read ${what}: ${reason}` }],
    };
  }
}
