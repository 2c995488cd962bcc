/**
 * The scenario library: the commented YAML files in the repository's scenarios/ folder, each
 * usable by name (`kubedrs twin --scenario demo`).
 */
import { readdir, stat } from "node:fs/promises";
import { resolve } from "node:path";

export const REPOSITORY_ROOT = resolve(import.meta.dirname, "../../..");
export const SCENARIO_LIBRARY = resolve(REPOSITORY_ROOT, "scenarios");

export async function libraryScenarioNames(): Promise<string[]> {
  const entries = await readdir(SCENARIO_LIBRARY).catch(() => [] as string[]);
  return entries
    .filter((entry) => entry.endsWith(".yaml"))
    .map((entry) => entry.slice(0, -".yaml".length))
    .sort();
}

export function libraryScenarioPath(name: string): string {
  return resolve(SCENARIO_LIBRARY, `${name}.yaml`);
}

async function isFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ?? false;
}

/**
 * A scenario reference is a file path, or the name of a library scenario. A path wins, so a
 * local file called "demo" is not shadowed by the library.
 */
export async function resolveScenarioReference(reference: string): Promise<string | undefined> {
  if (await isFile(reference)) return reference;
  if (!/^[a-z0-9][-a-z0-9]*$/.test(reference)) return undefined;
  const path = libraryScenarioPath(reference);
  return (await isFile(path)) ? path : undefined;
}
