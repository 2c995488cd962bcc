/**
 * The command-line spelling of an event, for `kubedrs twin inject`:
 *
 *   power-off|power-on|partition|heal|bmc-unreachable|bmc-restore|flap NODE… [--for D]
 *   maintenance|end-maintenance NODE… [--reason R] [--for D]
 *   degrade NODE… [--condition TYPE] [--for D]
 *   load NAMESPACE/VM|GROUP FACTOR [--for D]
 *
 * A host word of the form pool=NAME, zone=NAME or fraction=F selects hosts as the scenario's
 * fields of the same names do. The result is a raw event for the event schema to check.
 */
import { EVENT_TYPES } from "../scenario/event-schema.ts";

export interface EventWordOptions {
  readonly for?: string | undefined;
  readonly reason?: string | undefined;
  readonly condition?: string | undefined;
  readonly period?: string | undefined;
  readonly count?: string | undefined;
}

export type WordsResult =
  { readonly ok: true; readonly event: Record<string, unknown> } | { readonly ok: false; readonly message: string };

/** Every event spelled as words against hosts: all but the load spike, which names a VM or group. */
const HOST_EVENTS = new Set<string>(EVENT_TYPES.filter((type) => type !== "load-spike"));

const ALIASES: Readonly<Record<string, string>> = { degrade: "degraded-hardware", load: "load-spike" };

const SELECTOR_WORD = /^(pool|zone|fraction)=(.+)$/;

function hostFields(words: readonly string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const nodes: string[] = [];
  for (const word of words) {
    const selector = SELECTOR_WORD.exec(word);
    if (!selector) nodes.push(word);
    else fields[selector[1] ?? ""] = selector[1] === "fraction" ? Number(selector[2]) : selector[2];
  }
  if (nodes.length === 1) fields.node = nodes[0];
  if (nodes.length > 1) fields.nodes = nodes;
  return fields;
}

/** Only the options given, numbers where the schema wants numbers. */
function optionFields(options: EventWordOptions): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (options.for !== undefined) fields.for = options.for;
  if (options.reason !== undefined) fields.reason = options.reason;
  if (options.condition !== undefined) fields.condition = options.condition;
  if (options.period !== undefined) fields.period = options.period;
  if (options.count !== undefined) fields.count = Number(options.count);
  return fields;
}

function loadEvent(words: readonly string[], options: EventWordOptions): WordsResult {
  const [target, factor, ...extra] = words;
  if (target === undefined || factor === undefined || extra.length > 0)
    return { ok: false, message: "load takes a target and a factor: load NAMESPACE/VM 2.5, or load GROUP 2.5" };
  const value = Number(factor);
  if (!Number.isFinite(value))
    return { ok: false, message: `the load factor ${JSON.stringify(factor)} is not a number` };
  const targetField = target.includes("/") ? { vm: target } : { group: target };
  return { ok: true, event: { type: "load-spike", ...targetField, factor: value, ...optionFields(options) } };
}

export function eventFromWords(words: readonly string[], options: EventWordOptions = {}): WordsResult {
  const [verb, ...rest] = words;
  if (verb === undefined) return { ok: false, message: "name an event, e.g. power-off node-03" };
  const type = ALIASES[verb] ?? verb;
  if (type === "load-spike") return loadEvent(rest, options);
  if (!HOST_EVENTS.has(type))
    return {
      ok: false,
      message: `unknown event ${JSON.stringify(verb)}; one of ${[...HOST_EVENTS, "load"].join(", ")}`,
    };
  if (rest.length === 0)
    return { ok: false, message: `${verb} needs the hosts: a node name, or pool=, zone=, fraction=` };
  return { ok: true, event: { type, ...hostFields(rest), ...optionFields(options) } };
}
