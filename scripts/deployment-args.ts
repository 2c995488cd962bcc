/**
 * The controller's arguments as deploy/deployment.yaml ships them, so a benchmark can run the
 * controller the way the Deployment does without a second copy of its settings.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";

const DEPLOYMENT = resolve(import.meta.dirname, "../deploy/deployment.yaml");
const CONTAINER = "controller";

interface Container {
  readonly name?: unknown;
  readonly args?: unknown;
}

/** The `controller` container's args; throws naming the file when it has none. */
export function deploymentArgs(): string[] {
  const deployment = parse(readFileSync(DEPLOYMENT, "utf8")) as {
    spec?: { template?: { spec?: { containers?: readonly Container[] } } };
  };
  const container = deployment.spec?.template?.spec?.containers?.find((entry) => entry.name === CONTAINER);
  const args = container?.args;
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === "string"))
    throw new Error(`${DEPLOYMENT}: spec.template.spec.containers[name=${CONTAINER}].args is not a list of strings`);
  return args;
}

/** The value the Deployment gives `flag` (e.g. "--memory-target"), or undefined when it gives none. */
export function deploymentFlag(flag: string): string | undefined {
  const args = deploymentArgs();
  const at = args.indexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}
