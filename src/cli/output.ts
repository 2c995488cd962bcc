/** Output in the three forms every command offers: a kubectl-style table, JSON or YAML. */
import { stringify } from "yaml";
import { UserError } from "./errors.ts";

export type OutputFormat = "table" | "json" | "yaml";

export function parseFormat(value: string): OutputFormat {
  if (value === "table" || value === "json" || value === "yaml") return value;
  throw new UserError(`unknown output format ${JSON.stringify(value)}: use table, json or yaml`);
}

/** Aligned columns separated by two spaces, headers in capitals, like `kubectl get`. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers.map((header) => header.toUpperCase()), ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function render(value: unknown, format: OutputFormat, asTable: () => string): string {
  if (format === "json") return JSON.stringify(value, null, 2);
  if (format === "yaml") return stringify(value, { lineWidth: 0 });
  return asTable();
}
