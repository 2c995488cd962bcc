/**
 * The controller's logs: pino JSON lines (stdout by default) named "kubedrs", with the level as a
 * word and an ISO timestamp so `kubectl logs` reads without tools, and one child logger per
 * component so every line says which part of the controller wrote it. Log objects first:
 * `log.info({ vmi, from, to }, "migration started")`.
 */
import { type DestinationStream, type Level, type Logger, pino } from "pino";

export const LOG_LEVELS: readonly (Level | "silent")[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

export interface RootLoggerOptions {
  /** One of LOG_LEVELS; "info" when unset. */
  readonly level?: string;
  /** Where the JSON lines go; stdout when unset. */
  readonly destination?: DestinationStream;
}

export function createRootLogger(options: RootLoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`log level "${level}" is not one of ${LOG_LEVELS.join(", ")}`);
  }
  const settings = {
    name: "kubedrs",
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A logger whose every line carries `component` (leader, executor, policy-loader…). */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
