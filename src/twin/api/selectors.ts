/**
 * Label and field selectors in their query-string form (`app=web,tier in (a,b),!legacy`), parsed
 * the way k8s.io/apimachinery/pkg/labels and pkg/fields parse them. Matching reuses the core's
 * selector semantics.
 */
import { type SelectorRequirement, requirementMatches } from "../../core/model/selectors.ts";
import { errors } from "./status.ts";
import type { KubeObject } from "./types.ts";

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === "(") depth += 1;
    else if (char === ")") depth -= 1;
    else if (char === "," && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((term) => term.trim()).filter((term) => term !== "");
}

const SET_TERM = /^([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const COMPARE_TERM = /^([\w./-]+)\s*(==|=|!=|>|<)\s*([\w./-]*)$/;
const EXISTS_TERM = /^(!?)([\w./-]+)$/;

const COMPARE_OPERATORS: Readonly<Record<string, SelectorRequirement["operator"]>> = {
  ">": "Gt",
  "<": "Lt",
  "!=": "NotIn",
  "=": "In",
  "==": "In",
};

function parseSetTerm(match: RegExpExecArray): SelectorRequirement {
  const values = (match[3] ?? "")
    .split(",")
    .map((value) => value.trim())
    .filter((value) => value !== "");
  return { key: match[1] ?? "", operator: match[2] === "in" ? "In" : "NotIn", values };
}

function parseTerm(term: string): SelectorRequirement {
  const set = SET_TERM.exec(term);
  if (set) return parseSetTerm(set);
  const compare = COMPARE_TERM.exec(term);
  if (compare) {
    const [, key = "", op = "=", value = ""] = compare;
    return { key, operator: COMPARE_OPERATORS[op] ?? "In", values: [value] };
  }
  const exists = EXISTS_TERM.exec(term);
  if (exists) return { key: exists[2] ?? "", operator: exists[1] === "!" ? "DoesNotExist" : "Exists" };
  throw errors.badRequest(`unable to parse requirement: ${JSON.stringify(term)}`);
}

export function parseLabelSelector(text: string | null | undefined): SelectorRequirement[] {
  return text ? splitTerms(text).map(parseTerm) : [];
}

export function labelsMatch(
  requirements: readonly SelectorRequirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const actual = labels ?? {};
  return requirements.every((requirement) => requirementMatches(requirement, actual));
}

export interface FieldRequirement {
  readonly field: string;
  readonly value: string;
  readonly negate: boolean;
}

const FIELD_TERM = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/;

/** Parses `spec.nodeName=n1,metadata.name!=x`; `supported` lists the fields the resource indexes. */
export function parseFieldSelector(text: string | null | undefined, supported: readonly string[]): FieldRequirement[] {
  if (!text) return [];
  return splitTerms(text).map((term) => {
    const match = FIELD_TERM.exec(term);
    if (!match) throw errors.badRequest(`invalid field selector: ${JSON.stringify(term)}`);
    const [, field = "", op, value = ""] = match;
    if (!supported.includes(field)) throw errors.badRequest(`field label not supported: ${field}`);
    return { field, value, negate: op === "!=" };
  });
}

/** Reads a dotted path such as spec.nodeName from an object, as a string ("" when absent). */
export function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null) return "";
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return "";
  return typeof current === "string" ? current : JSON.stringify(current);
}

export function fieldsMatch(requirements: readonly FieldRequirement[], object: KubeObject): boolean {
  return requirements.every(
    (requirement) => (fieldValue(object, requirement.field) === requirement.value) !== requirement.negate,
  );
}
