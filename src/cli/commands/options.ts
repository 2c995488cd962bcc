/** Option parsers shared by commands; a bad value is a user error, not a crash. */
import { InvalidArgumentError } from "commander";

export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return parsed;
}

export function fraction(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1)
    throw new InvalidArgumentError("expected a number between 0 and 1");
  return parsed;
}

export function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`expected one of ${allowed.join(", ")}`);
  };
}
