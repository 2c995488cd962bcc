/**
 * Reads a TwinScenario file: YAML syntax, then the schema, then the trace directories, then the
 * references between its parts. Every problem comes back at once, each with the file, line,
 * column and field path (`spec.events[3].node`), as the policy loader reports them.
 */
import type { FieldError, LocatedFieldError } from "../../core/policy/field-error.ts";
import { parseSource, type SourceDocument } from "../../adapters/files/source-documents.ts";
import { layoutOf, type ScenarioLayout, type TraceFiles } from "./layout.ts";
import { referenceErrors } from "./references.ts";
import { type TwinScenario, twinScenarioSchema } from "./schema.ts";
import { scenarioFieldErrors } from "./schema-errors.ts";
import { resolveTraces, tracesRoot } from "./traces.ts";
import { readSource } from "../../adapters/files/read-source.ts";

/** A valid scenario, expanded: what `applyScenario` takes. */
export interface Scenario {
  readonly document: TwinScenario;
  readonly layout: ScenarioLayout;
}

export type ScenarioDecode =
  { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly errors: readonly FieldError[] };

export type ScenarioLoad =
  | { readonly ok: true; readonly scenario: Scenario; readonly file: string }
  | { readonly ok: false; readonly errors: readonly LocatedFieldError[] };

export interface LoadOptions {
  /** Where KUBEDRS_TRACES is read from (process.env by default). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Checks a scenario already parsed from YAML or JSON; groups with `traces` use `traceFiles`. */
export function decodeScenario(raw: unknown, traceFiles: TraceFiles = new Map()): ScenarioDecode {
  const parsed = twinScenarioSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: scenarioFieldErrors(parsed.error.issues) };
  return expand(parsed.data, traceFiles);
}

function expand(document: TwinScenario, traceFiles: TraceFiles): ScenarioDecode {
  const layout = layoutOf(document.spec, traceFiles);
  const errors = referenceErrors(document.spec, layout);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, scenario: { document, layout } };
}

function located(origin: SourceDocument, errors: readonly FieldError[]): LocatedFieldError[] {
  return errors.map((error) => ({ ...error, file: origin.file, ...origin.locate(error.path) }));
}

function singleDocument(file: string, text: string): SourceDocument | LocatedFieldError[] {
  const { documents, problems } = parseSource(file, text);
  if (problems.length > 0)
    return problems.map((problem) => ({
      ...problem,
      type: "Invalid",
      path: [],
      message: `YAML syntax: ${problem.message}`,
    }));
  const [document] = documents;
  if (document === undefined || documents.length > 1)
    return [
      {
        file,
        line: 1,
        column: 1,
        type: "Invalid",
        path: [],
        message: `expected one TwinScenario document, found ${documents.length}`,
      },
    ];
  return document;
}

export async function loadScenarioText(file: string, text: string, options: LoadOptions = {}): Promise<ScenarioLoad> {
  const document = singleDocument(file, text);
  if (Array.isArray(document)) return { ok: false, errors: document };
  const parsed = twinScenarioSchema.safeParse(document.value, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: located(document, scenarioFieldErrors(parsed.error.issues)) };
  const traces = await resolveTraces(parsed.data.spec, tracesRoot(options.env ?? process.env));
  if (traces.errors.length > 0) return { ok: false, errors: located(document, traces.errors) };
  const decoded = expand(parsed.data, traces.files);
  if (!decoded.ok) return { ok: false, errors: located(document, decoded.errors) };
  return { ok: true, scenario: decoded.scenario, file };
}

export async function loadScenarioFile(file: string, options: LoadOptions = {}): Promise<ScenarioLoad> {
  const read = await readSource(file, "the scenario");
  if (!read.ok) return read;
  return loadScenarioText(file, read.text, options);
}
