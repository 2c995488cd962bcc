/**
 * A trace scenario moved to another PlanetLab day: every trace group reads that day's directory and
 * the clock starts at its midnight UTC. Comments and layout of the file are kept, so errors still
 * point at the right lines. `loadDayScenario` reads and checks one, as the replay's processes do.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isSeq, parseDocument } from "yaml";
import { formatFieldError } from "../core/policy/field-error.ts";
import { loadScenarioText, type Scenario } from "../twin/scenario/index.ts";
import { SCENARIO_LIBRARY } from "../twin/scenario/library.ts";

/** PlanetLab day directories are named YYYYMMDD. */
const DAY = /^(\d{4})(\d{2})(\d{2})$/;

export function scenarioForDay(text: string, day: string): string {
  const parts = DAY.exec(day);
  if (!parts) throw new Error(`not a PlanetLab day (YYYYMMDD): ${JSON.stringify(day)}`);
  const document = parseDocument(text);
  document.setIn(["spec", "start"], `${parts[1]}-${parts[2]}-${parts[3]}T00:00:00Z`);
  const groups = document.getIn(["spec", "vmGroups"]);
  const count = isSeq(groups) ? groups.items.length : 0;
  for (let index = 0; index < count; index += 1) {
    const path = ["spec", "vmGroups", index, "traces", "directory"];
    if (document.hasIn(path)) document.setIn(path, `planetlab/${day}`);
  }
  return document.toString();
}

/** The replay's default cluster: CloudSim's 800-host data centre. */
export const DEFAULT_REPLAY_SCENARIO = resolve(SCENARIO_LIBRARY, "planetlab-cloudsim.yaml");

/** Reads the scenario file moved to `day`; throws with every problem's file, line and field. */
export async function loadDayScenario(file: string, day: string): Promise<Scenario> {
  const loaded = await loadScenarioText(file, scenarioForDay(await readFile(file, "utf8"), day));
  if (!loaded.ok) throw new Error(loaded.errors.map(formatFieldError).join("\n"));
  return loaded.scenario;
}
