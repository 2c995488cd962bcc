/**
 * `kubedrs twin`: serves a simulated KubeVirt cluster on 127.0.0.1 running a scenario, paced at
 * --speed, and writes a kubeconfig that kubectl and client libraries use as is.
 * `kubedrs twin inject` and `kubedrs twin status` talk to a running twin through that kubeconfig.
 */
import { rename, writeFile } from "node:fs/promises";
import { type Command, InvalidArgumentError } from "commander";
import { formatDuration, parseDuration } from "../../core/model/quantity.ts";
import { formatFieldError } from "../../core/policy/field-error.ts";
import type { TwinControl } from "../../twin/control/index.ts";
import {
  ControlRequestError,
  type EventWordOptions,
  type TwinStatus,
  endpointFromKubeconfig,
  eventFromWords,
  getStatus,
  postEvent,
} from "../../twin/control/index.ts";
import {
  type AppliedScenario,
  type BootResult,
  type Scenario,
  bootScenario,
  injectedEventSchema,
  libraryScenarioNames,
  loadScenarioFile,
  resolveScenarioReference,
} from "../../twin/scenario/index.ts";
import { scenarioFieldErrors } from "../../twin/scenario/schema-errors.ts";
import { createScenarioTwin } from "../../twin/scenario-twin.ts";
import type { Twin } from "../../twin/twin.ts";
import { UserError } from "../errors.ts";

interface TwinOptions {
  readonly scenario?: string;
  readonly port: number;
  readonly kubeconfig: string;
  readonly speed: number;
  readonly seed?: number;
  readonly duration?: number;
}

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError("expected a port, 0–65535");
  return port;
}

function speedFactor(value: string): number {
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0) throw new InvalidArgumentError("expected a number > 0, e.g. 60");
  return speed;
}

function seedNumber(value: string): number {
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError("expected a whole number");
  return seed;
}

function durationSeconds(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new InvalidArgumentError("expected a duration such as 30m or 1h (0: until Ctrl-C)");
  return seconds;
}

export async function readScenario(reference: string): Promise<Scenario> {
  const file = await resolveScenarioReference(reference);
  if (file === undefined) {
    const names = await libraryScenarioNames();
    throw new UserError(`no scenario file or library scenario named ${reference}`, [
      `the library has: ${names.join(", ")}`,
    ]);
  }
  const loaded = await loadScenarioFile(file);
  if (!loaded.ok) throw new UserError(`the scenario ${file} is not valid:`, loaded.errors.map(formatFieldError));
  return loaded.scenario;
}

async function listen(twin: Twin, port: number): Promise<string> {
  try {
    return await twin.listen(port);
  } catch (error) {
    await twin.stop().catch(() => undefined);
    const reason = (error as NodeJS.ErrnoException).code === "EADDRINUSE" ? "it is in use" : String(error);
    throw new UserError(`cannot listen on 127.0.0.1:${port}: ${reason}; pick another --port, or 0 for any`);
  }
}

/** Written aside and renamed into place, so a reader waiting for the file never sees half of it. */
async function writeKubeconfig(path: string, text: string): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, text);
  await rename(partial, path);
}

/** Paces virtual time until `end` (never, for Infinity) or until Ctrl-C. */
async function runUntil(twin: Twin, speed: number, end: number): Promise<void> {
  const interrupt = (): void => twin.pause();
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    await twin.start(speed, end);
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
}

/** The wall time is the paced part; the boot ran before it, as fast as it could. */
function summary(control: TwinControl, boot: BootResult, wallMs: number): string {
  const status = control.status();
  const { created, succeeded, failed } = status.migrations;
  const booted = boot.seconds > 0 ? `; the first ${formatDuration(boot.seconds)} booted before serving` : "";
  return (
    `twin ${JSON.stringify(status.scenario?.name ?? "")} stopped at ${status.time}: ` +
    `${formatDuration(status.elapsedSeconds)} of virtual time in ${(wallMs / 1000).toFixed(1)} s of wall time; ` +
    `${created} migrations (${succeeded} succeeded, ${failed} failed), ${status.splitBrains} split-brains${booted}\n`
  );
}

function bootText(boot: BootResult): string {
  const still = boot.starting === 0 ? "" : ` (${boot.starting} VMs still starting)`;
  return `booted in ${formatDuration(boot.seconds)} of virtual time${still}`;
}

function banner(
  { applied, boot }: { applied: AppliedScenario; boot: BootResult },
  url: string,
  options: TwinOptions,
  runFor: number,
): string {
  const until = runFor === 0 ? "until Ctrl-C" : `for ${formatDuration(runFor)} of virtual time`;
  return (
    `twin ${JSON.stringify(applied.name)}: ${applied.nodes} nodes, ${applied.vms} VMs, ${applied.events} timed events; ${bootText(boot)}\n` +
    `serving ${url} at ${options.speed}× speed, ${until}\n` +
    `kubeconfig: ${options.kubeconfig}  (kubectl --kubeconfig ${options.kubeconfig} get nodes)\n`
  );
}

async function serve(options: TwinOptions): Promise<void> {
  if (options.scenario === undefined)
    throw new UserError("name a scenario: --scenario FILE, or a library name", [
      `the library has: ${(await libraryScenarioNames()).join(", ")}`,
    ]);
  const scenario = await readScenario(options.scenario);
  const { twin, control, applied } = createScenarioTwin(scenario, options);
  const boot = bootScenario(twin);
  const url = await listen(twin, options.port);
  await writeKubeconfig(options.kubeconfig, twin.kubeconfig()).catch(async (error: unknown) => {
    await twin.stop();
    throw new UserError(`cannot write the kubeconfig ${options.kubeconfig}: ${String(error)}`);
  });
  const runFor = options.duration ?? scenario.document.spec.duration;
  process.stdout.write(banner({ applied, boot }, url, options, runFor));
  const wallStart = performance.now();
  await runUntil(twin, options.speed, runFor === 0 ? Number.POSITIVE_INFINITY : applied.start + runFor * 1000);
  await twin.stop();
  process.stdout.write(summary(control, boot, performance.now() - wallStart));
}

function checkedEvent(words: readonly string[], options: EventWordOptions): unknown {
  const spelled = eventFromWords(words, options);
  if (!spelled.ok) throw new UserError(spelled.message);
  const parsed = injectedEventSchema.safeParse(spelled.event);
  if (!parsed.success)
    throw new UserError(`not a valid event:`, scenarioFieldErrors(parsed.error.issues).map(formatFieldError));
  return spelled.event;
}

/** A few names, then how many in all: a group's spike may touch thousands of VMs. */
function targetsText(targets: readonly string[]): string {
  const shown = targets.slice(0, 4).join(", ");
  return targets.length > 4 ? `${shown}, … (${targets.length} in all)` : shown;
}

async function inject(words: readonly string[], options: EventWordOptions, kubeconfig: string): Promise<void> {
  const event = checkedEvent(words, options);
  try {
    const receipt = await postEvent(endpointFromKubeconfig(kubeconfig), event);
    process.stdout.write(
      `injected ${receipt.event.type} on ${targetsText(receipt.targets)} at ${receipt.at} (virtual time)\n`,
    );
  } catch (error) {
    if (error instanceof ControlRequestError) throw new UserError(error.message, error.details);
    throw error;
  }
}

function statusText(status: TwinStatus): string {
  const down = status.hosts.filter((host) => !host.powered || !host.networked || !host.bmcReachable);
  const hostLines = down.map(
    (host) =>
      `  ${host.name}: ${host.powered ? "powered" : "POWER OFF"}, ${host.networked ? "networked" : "PARTITIONED"}, ` +
      `${host.bmcReachable ? "BMC ok" : "BMC UNREACHABLE"}, ${host.guests} guests\n`,
  );
  return (
    `scenario ${status.scenario?.name ?? "<none>"} at ${status.time} (${formatDuration(status.elapsedSeconds)} in, ${status.speed}× speed)\n` +
    `${status.hosts.length} hosts, ${down.length} not healthy; ${status.splitBrains} split-brains; ` +
    `${status.migrations.created} migrations (${status.migrations.succeeded} succeeded, ${status.migrations.failed} failed)\n` +
    hostLines.join("")
  );
}

async function showStatus(kubeconfig: string): Promise<void> {
  try {
    const status = (await getStatus(endpointFromKubeconfig(kubeconfig))) as TwinStatus;
    process.stdout.write(statusText(status));
  } catch (error) {
    if (error instanceof ControlRequestError) throw new UserError(error.message, error.details);
    throw error;
  }
}

/**
 * `--kubeconfig` belongs to `twin` itself and means the same file everywhere: where the twin
 * writes it and where `inject` and `status` read it. (Given after `inject`, commander hands it to
 * `twin` anyway, so the subcommands read it from there.)
 */
function kubeconfigOf(command: Command): string {
  return command.optsWithGlobals<{ kubeconfig: string }>().kubeconfig;
}

export function registerTwin(program: Command): void {
  const twin = program
    .command("twin")
    .description("serve a simulated KubeVirt cluster (the twin) that runs a scenario, on 127.0.0.1")
    .option("--scenario <file|name>", "a TwinScenario file, or a library scenario (demo, zones, mixed-cpu, …)")
    .option("--port <n>", "the port to serve on (0: any free port)", portNumber, 0)
    .option(
      "--kubeconfig <file>",
      "the twin's kubeconfig: written by twin, read by inject and status",
      "twin.kubeconfig",
    )
    .option("--speed <x>", "run virtual time this many times faster than wall time", speedFactor, 1)
    .option("--seed <n>", "the random seed (default: the scenario's)", seedNumber)
    .option(
      "--duration <d>",
      "stop after this much virtual time (default: the scenario's; 0: until Ctrl-C)",
      durationSeconds,
    )
    .configureHelp({ showGlobalOptions: true })
    .action((options: TwinOptions) => serve(options));
  twin
    .command("inject")
    .description(
      "inject an event into a running twin, e.g. `power-off node-03`, `partition node-03 --for 5m`, `load shop/web-01 2.5`",
    )
    .argument("<event...>", "the event and its hosts or VM (see docs/twin-scenarios.md)")
    .option("--for <duration>", "undo the event after this long")
    .option("--reason <text>", "maintenance: the reason")
    .option("--condition <type>", "degrade: the node condition (default KernelDeadlock)")
    .option("--period <duration>", "flap: time between toggles")
    .option("--count <n>", "flap: how many toggles")
    .action((words: string[], options: EventWordOptions, command: Command) =>
      inject(words, options, kubeconfigOf(command)),
    );
  twin
    .command("status")
    .description("show a running twin's virtual time, unhealthy hosts, migrations and split-brains")
    .action((_options: unknown, command: Command) => showStatus(kubeconfigOf(command)));
}
