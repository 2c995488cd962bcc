/**
 * A trace scenario moved to another PlanetLab day: every trace group reads that day's directory and
 * the clock starts at its midnight UTC. Comments and layout of the file are kept, so errors still
 * point at the right lines.
 */
import { parseDocument } from "yaml";

/** PlanetLab day directories are named YYYYMMDD. */
const DAY = /^(\d{4})(\d{2})(\d{2})$/;

export function scenarioForDay(text: string, day: string): string {
  const parts = DAY.exec(day);
  if (!parts) throw new Error(`not a PlanetLab day (YYYYMMDD): ${JSON.stringify(day)}`);
  const document = parseDocument(text);
  document.setIn(["spec", "start"], `${parts[1]}-${parts[2]}-${parts[3]}T00:00:00Z`);
  const groups = document.getIn(["spec", "vmGroups"]);
  const count = Array.isArray((groups as { items?: unknown } | undefined)?.items)
    ? (groups as { items: unknown[] }).items.length
    : 0;
  for (let index = 0; index < count; index += 1) {
    const path = ["spec", "vmGroups", index, "traces", "directory"];
    if (document.hasIn(path)) document.setIn(path, `planetlab/${day}`);
  }
  return document.toString();
}
