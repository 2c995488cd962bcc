/**
 * The twin check (issue 7): the real controller on the twin against the in-process replay, over the
 * same hours of one PlanetLab day, from the same start, judged by the same metrics.
 *
 *   npm run bench -- twin-check [--day 20110303] [--hours 6] [--speed 20] [--policies DIR] [--seed N]
 *     [--as-configured] [--out FILE]
 *
 * The twin boots planetlab-cloudsim for the day in this process; `kubedrs run` (the shipped
 * policies/) runs in a process of its own against it over HTTP, on the twin's clock, `--speed` times
 * real time. The twin stands still until the controller's first pass (a minute in, when the replay
 * decides first) is done, so both start planning at the same virtual moment. An observer reads the
 * twin over HTTP as anyone could, at every trace step's boundary: node_cpu_seconds_total on its
 * /metrics, and the VirtualMachineInstanceMigrations. Then the replay runs the kubedrs strategy from
 * the placement, requests and allocatable the twin booted with (read through the controller's own
 * snapshot conversion), for the same hours; and once more counting resources as the evaluation does.
 *
 * By default the twin is set up as the replay models the cluster: VMs start packed (first fit, in
 * the twin's own Kubernetes terms, through its initial-node hint) and the hosts carry no load of
 * their own (the twin's system-reserved annotation at zero). --as-configured leaves the scenario as
 * written: the twin's scheduler spreads the VMs and every host carries 2% CPU and 2 GiB of its own.
 *
 * Prints the result as JSON and writes it to --out; `npm run bench -- replay --twin-check FILE` puts
 * its rows on the report page.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Readable } from "node:stream";
import { ApiClient } from "../src/adapters/kube/client/api-client.ts";
import { loadKubeconfig } from "../src/adapters/kube/client/load-kubeconfig.ts";
import { migrationFromKube } from "../src/adapters/kube/convert/migration.ts";
import type { JsonObject } from "../src/adapters/kube/convert/meta.ts";
import { cronSchedule } from "../src/controller/cron-schedule.ts";
import { captureLiveSnapshot } from "../src/controller/live-snapshot.ts";
import type { SnapshotMigration } from "../src/core/model/snapshot.ts";
import type { PolicySet } from "../src/core/policy/policy-set.ts";
import { runReplay, type ReplayWorkload } from "../src/evaluate/replay.ts";
import { DEFAULT_REPLAY_SCENARIO, loadDayScenario } from "../src/evaluate/scenario-day.ts";
import { replayStrategy } from "../src/evaluate/strategies/index.ts";
import {
  busySecondsFromExposition,
  type CheckedRun,
  type CpuReading,
  migrationRecords,
  movesInCommon,
  samplesFromReadings,
  startFromSnapshot,
  twinCheckRows,
  vmsInCommon,
} from "../src/evaluate/twin-check.ts";
import { packedPlacement, placementFrom, withAccounting, workloadFromScenario } from "../src/evaluate/workload.ts";
import { createScenarioTwin } from "../src/twin/scenario-twin.ts";
import { bootScenario, type Scenario } from "../src/twin/scenario/index.ts";
import { INITIAL_NODE_ANNOTATION } from "../src/twin/scenario/annotations.ts";
import { REPOSITORY_ROOT } from "../src/twin/scenario/library.ts";
import { SYSTEM_RESERVED_ANNOTATION } from "../src/twin/workload/index.ts";
import { FileTraceLibrary } from "../src/twin/workload/trace-loader.ts";
import type { Twin } from "../src/twin/twin.ts";
import { option, round } from "./args.ts";
import { ControllerLog, killOnInterrupt, spawnController, stopGroup } from "./kubedrs-process.ts";
import { pool } from "./pool.ts";
import { readPolicies } from "../src/cli/inputs.ts";

const MINUTE = 60_000;
/** The observer reads at every trace step's boundary, so the twin's node-time is cut as the replay's is. */
const OBSERVE_EVERY_MS = 5 * MINUTE;
/** The twin samples its hosts every 15 s from the start; a reading stands at the last sample before it. */
const TWIN_SAMPLE_MS = 15_000;
/**
 * The controller starts a minute in, when the replay makes its first decision (one minute of metrics
 * lag), so both first plan on measured load rather than on requests.
 */
const WARM_UP_MS = MINUTE;
const PARALLEL_WRITES = 16;
/** Wall time the controller is given after its first pass to hand the moves to the executor. */
const FIRST_PASS_SETTLE_MS = 3000;

interface Options {
  readonly day: string;
  readonly hours: number;
  readonly speed: number;
  readonly policies: string;
  readonly seed: number;
  readonly asConfigured: boolean;
  readonly out: string | undefined;
}

function optionsOf(args: readonly string[]): Options {
  return {
    day: option(args, "--day") ?? "20110303",
    hours: Number(option(args, "--hours") ?? "6"),
    speed: Number(option(args, "--speed") ?? "20"),
    policies: option(args, "--policies") ?? resolve(REPOSITORY_ROOT, "policies"),
    seed: Number(option(args, "--seed") ?? "1"),
    asConfigured: args.includes("--as-configured"),
    out: option(args, "--out"),
  };
}

/**
 * The replay's packed start in the twin's terms: each VM on the first node whose allocatable still
 * holds its launcher pod's requests (KubeVirt's overhead included), in scenario order.
 */
function packedNodes(scenario: Scenario, day: string): Map<string, string> {
  const { hosts, vms, initialHostOf } = workloadFromScenario(scenario, new FileTraceLibrary("/"), {
    day,
    place: packedPlacement,
    accounting: "kubernetes",
  });
  return new Map(vms.map((vm, index) => [vm.key, hosts[initialHostOf[index] ?? 0]?.name ?? ""]));
}

/** Sets the replay's cluster up on the twin, through its API, before it boots. */
async function setUpAsReplayed(api: ApiClient, scenario: Scenario, packed: Map<string, string>): Promise<void> {
  const nodes = scenario.layout.nodes.map((node) => node.name);
  const reserveNothing = { metadata: { annotations: { [SYSTEM_RESERVED_ANNOTATION]: "cpu=0,memory=0" } } };
  await pool(
    nodes.map((node) => () => api.patch(`/api/v1/nodes/${node}`, reserveNothing)),
    PARALLEL_WRITES,
  );
  await pool(
    [...packed].map(([key, node]) => () => {
      const [namespace, name] = key.split("/");
      const hint = { spec: { template: { metadata: { annotations: { [INITIAL_NODE_ANNOTATION]: node } } } } };
      return api.patch(`/apis/kubevirt.io/v1/namespaces/${namespace}/virtualmachines/${name}`, hint);
    }),
    PARALLEL_WRITES,
  );
}

async function list(api: ApiClient, path: string): Promise<JsonObject[]> {
  return (await api.listPage(path, {})).items;
}

/**
 * Reads the twin as an outsider would, over HTTP: the CPU counters on /metrics and every migration
 * it has seen. It wakes on the twin's clock at each moment it is to read at; the counters move only
 * at the twin's samples, so a reading counts for the moment only when no sample fell during it.
 */
class Observer {
  readonly readings: CpuReading[] = [];
  /** Readings that stand at a later sample than the moment they were meant for. */
  late = 0;
  private readonly migrations = new Map<string, JsonObject>();
  private readonly api: ApiClient;
  private readonly url: string;
  private readonly twin: Twin;
  private readonly sampleOf: (time: number) => number;

  constructor(twin: Twin, api: ApiClient, url: string, start: number) {
    this.twin = twin;
    this.api = api;
    this.url = url;
    this.sampleOf = (time) => start + Math.floor((time - start) / TWIN_SAMPLE_MS) * TWIN_SAMPLE_MS;
  }

  async readAt(at: number): Promise<void> {
    const clock = this.twin.runtime.clock;
    if (clock.now() < at) await new Promise<void>((woken) => clock.at(at, woken));
    for (;;) {
      const before = clock.now();
      const text = await (await fetch(`${this.url}/metrics`)).text();
      const sample = this.sampleOf(clock.now());
      if (sample !== this.sampleOf(before)) continue;
      if (sample !== at) this.late += 1;
      this.readings.push({ at: sample, busySeconds: busySecondsFromExposition(text) });
      break;
    }
    await this.readMigrations();
  }

  async readMigrations(): Promise<void> {
    for (const vmim of await list(this.api, "/apis/kubevirt.io/v1/virtualmachineinstancemigrations")) {
      const uid = (vmim.metadata as { uid?: string } | undefined)?.uid ?? "";
      this.migrations.set(uid, vmim);
    }
  }

  seenMigrations(): SnapshotMigration[] {
    return [...this.migrations.values()].flatMap((vmim) => {
      const converted = migrationFromKube(vmim).value;
      return converted ? [converted] : [];
    });
  }
}

/** Event-loop stalls here, and how far the twin's clock fell behind its pace. */
function paceMonitor(
  twin: Twin,
  speed: number,
): { stop(): { maxLagSeconds: number; eventLoopMaxMs: number; eventLoopP99Ms: number } } {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const wallStart = performance.now();
  const virtualStart = twin.runtime.clock.now();
  let maxLag = 0;
  const timer = setInterval(() => {
    const expected = virtualStart + (performance.now() - wallStart) * speed;
    maxLag = Math.max(maxLag, expected - twin.runtime.clock.now());
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      delay.disable();
      return {
        maxLagSeconds: round(maxLag / 1000),
        eventLoopMaxMs: round(delay.max / 1e6),
        eventLoopP99Ms: round(delay.percentile(99) / 1e6),
      };
    },
  };
}

interface PassNote {
  /** The virtual time the pass planned at, from its plan's name. */
  readonly at: string;
  /** Virtual seconds after the cron time it was due at (the first pass, at start-up, is due then). */
  readonly lateSeconds: number;
  readonly imbalance: string;
  readonly execute: number;
}

const PASS_PLANNED = "balance pass planned";
/** Plans are named after the pass's time: plan-20110303t000500z. */
const PLAN_TIME = /plan-(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})z/;

function planTime(plan: unknown): number | undefined {
  const parts = typeof plan === "string" ? PLAN_TIME.exec(plan) : null;
  if (!parts) return undefined;
  const [, year, month, day, hour, minute, second] = parts;
  return Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

/** Each pass the controller logged, with how late it came after its cron time. */
function passNotes(log: ControllerLog, policies: PolicySet): PassNote[] {
  const schedule = policies.balance[0]?.spec.schedule ?? { cron: "*/5 * * * *", timeZone: "UTC" };
  const cron = cronSchedule(schedule.cron, schedule.timeZone);
  let previous: number | undefined;
  return log.lines.flatMap(({ msg, fields }) => {
    const at = msg === PASS_PLANNED ? planTime(fields.plan) : undefined;
    if (at === undefined) return [];
    const due = previous === undefined ? at : (cron.next(previous) ?? at);
    previous = at;
    return [
      {
        at: new Date(at).toISOString().slice(11, 19),
        lateSeconds: (at - due) / 1000,
        imbalance: String(fields.imbalance),
        execute: Number(fields.execute),
      },
    ];
  });
}

/** How the controller's migrations ended, by its own log ("migration succeeded", …). */
function controllerOutcomes(log: ControllerLog): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { fields } of log.lines)
    if (typeof fields.outcome === "string") counts[fields.outcome] = (counts[fields.outcome] ?? 0) + 1;
  return counts;
}

interface TwinRun extends CheckedRun {
  readonly start: ReturnType<typeof startFromSnapshot>;
  readonly hintsTaken: number | undefined;
  readonly passes: readonly PassNote[];
  readonly pace: ReturnType<ReturnType<typeof paceMonitor>["stop"]>;
  readonly lateReadings: number;
  readonly controller: Record<string, number>;
  /** Redfish power queries: the controller asks a BMC only when it sees that node's Lease overdue. */
  readonly bmcQueries: number;
  readonly log: string;
  /** Node names in the samples' order. */
  readonly nodes: readonly string[];
}

/** `kubedrs run` against the twin, on its clock, in a process of its own as it would run beside a cluster. */
function startKubedrs(kubeconfig: string, options: Options): { process: ChildProcess; log: ControllerLog } {
  const child = spawnController(kubeconfig, options.policies, [
    "--identity",
    "kubedrs-twin-check",
    "--seed",
    String(options.seed),
  ]);
  return { process: child, log: new ControllerLog(child.stdout as Readable, performance.now()) };
}

async function runTwin(scenario: Scenario, options: Options, policies: PolicySet): Promise<TwinRun> {
  // Speed 0 until the controller's first pass is done: its clock, read from the twin, stands still too.
  const { twin, control, applied } = createScenarioTwin(scenario, { speed: 0 });
  const url = await twin.listen(0);
  const directory = await mkdtemp(join(tmpdir(), "kubedrs-twin-check-"));
  const kubeconfig = join(directory, "twin.kubeconfig");
  await writeFile(kubeconfig, twin.kubeconfig());
  const config = loadKubeconfig(kubeconfig);
  const api = new ApiClient(config);
  const hints = options.asConfigured ? undefined : packedNodes(scenario, options.day);
  if (hints) await setUpAsReplayed(api, scenario, hints);
  bootScenario(twin);
  twin.advance(applied.start + WARM_UP_MS - twin.runtime.clock.now());
  // The cluster as the controller converts it, listed through its own cache.
  const { snapshot } = await captureLiveSnapshot({ kubeconfig: config, policies, now: applied.start + WARM_UP_MS });
  const start = startFromSnapshot(snapshot);
  const hintsTaken = hints && [...hints].filter(([vm, node]) => start.nodeByVm.get(vm) === node).length;
  const observer = new Observer(twin, api, url, applied.start);
  // node-exporter's counters start at zero with the hosts, at the scenario's start.
  observer.readings.push({ at: applied.start, busySeconds: new Map(snapshot.nodes.map((node) => [node.name, 0])) });
  const end = applied.start + options.hours * 60 * MINUTE;
  const controller = startKubedrs(kubeconfig, options);
  const forget = killOnInterrupt([controller.process]);
  try {
    await controller.log.waitFor(PASS_PLANNED, controller.process);
    // Its first pass handed to the executor.
    await controller.log.quiet(FIRST_PASS_SETTLE_MS);
    control.attach(twin.runtime, options.speed);
    control.describe(applied);
    const wallStart = performance.now();
    // Paced past the end, so the controller still sees time move while it stops.
    void twin.start(options.speed, end + 10 * MINUTE);
    const pace = paceMonitor(twin, options.speed);
    for (let at = applied.start + OBSERVE_EVERY_MS; at <= end; at += OBSERVE_EVERY_MS) await observer.readAt(at);
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const paced = pace.stop();
    await observer.readMigrations();
    await stopGroup(controller.process);
    const log = join(directory, "controller.log");
    await writeFile(log, controller.log.lines.map((line) => JSON.stringify(line.fields)).join("\n"));
    const cores = new Map(snapshot.nodes.map((node) => [node.name, (node.capacity.cpu ?? 0) / 1000]));
    return {
      input: {
        samples: samplesFromReadings(observer.readings, cores),
        stepMs: OBSERVE_EVERY_MS,
        migrations: migrationRecords(observer.seenMigrations(), end),
        requestedCpuSeconds: new Map([...start.nodeByVm.keys()].map((vm) => [vm, 0])),
      },
      wallSeconds,
      start,
      hintsTaken,
      passes: passNotes(controller.log, policies),
      pace: paced,
      lateReadings: observer.late,
      controller: controllerOutcomes(controller.log),
      bmcQueries: controller.log.count("BMC power state"),
      log,
      nodes: [...cores.keys()],
    };
  } finally {
    await stopGroup(controller.process);
    forget();
    await twin.stop();
  }
}

function replayOnce(workload: ReplayWorkload, options: Options, policies: PolicySet): CheckedRun {
  const strategy = replayStrategy("kubedrs", { policies, seed: options.seed });
  const started = performance.now();
  const steps = Math.round((options.hours * 60 * MINUTE) / workload.stepMs);
  const run = runReplay(workload, strategy, { clock: () => performance.now(), steps });
  return { input: run.input, wallSeconds: (performance.now() - started) / 1000 };
}

interface Move {
  readonly vm: string;
  readonly from: string;
  readonly to: string;
  readonly at: string;
  readonly seconds: number;
  readonly outcome: string;
}

function moveList(run: CheckedRun): Move[] {
  return run.input.migrations.map((migration) => ({
    vm: migration.vm,
    from: migration.from,
    to: migration.to,
    at: new Date(migration.startedAt).toISOString().slice(11, 19),
    seconds: round((migration.endedAt - migration.startedAt) / 1000),
    outcome: migration.outcome,
  }));
}

/** Every node-step above 80% CPU, by step start and node name: where the overload rows come from. */
function hotNodeSteps(run: CheckedRun, nodes: readonly string[]): { at: string; node: string; cpu: number }[] {
  return run.input.samples.flatMap((sample) =>
    sample.nodes.flatMap((node, index) =>
      node.active && node.utilization > 0.8
        ? [
            {
              at: new Date(sample.at).toISOString().slice(11, 16),
              node: nodes[index] ?? "?",
              cpu: round(node.utilization, 3),
            },
          ]
        : [],
    ),
  );
}

export async function run(args: string[]): Promise<unknown> {
  const options = optionsOf(args);
  const scenario = await loadDayScenario(DEFAULT_REPLAY_SCENARIO, options.day);
  const policies = await readPolicies(options.policies);
  const twin = await runTwin(scenario, options, policies);
  const asEvaluated = workloadFromScenario(scenario, new FileTraceLibrary("/"), {
    day: options.day,
    place: placementFrom(twin.start.nodeByVm),
  });
  const replay = replayOnce(withAccounting(asEvaluated, twin.start.accounting), options, policies);
  // The replay as the evaluation counts resources (guest memory against whole hosts), from the same start.
  const evaluated = replayOnce(asEvaluated, options, policies);
  const result = {
    benchmark: "twin-check",
    node: process.version,
    day: options.day,
    hours: options.hours,
    speed: options.speed,
    twinSetUp: options.asConfigured ? "as configured" : "as replayed (packed start, no host system load)",
    rows: twinCheckRows(replay, twin).map((row) => ({
      ...row,
      replay: round(row.replay, 4),
      twin: round(row.twin, 4),
    })),
    vmsInCommon: vmsInCommon(replay.input.migrations, twin.input.migrations),
    movesInCommon: movesInCommon(replay.input.migrations, twin.input.migrations),
    replayAsEvaluated: twinCheckRows(evaluated, twin).map((row) => ({
      metric: row.metric,
      value: round(row.replay, 4),
    })),
    twin: {
      hintsTaken: twin.hintsTaken,
      nodesUsed: new Set(twin.start.nodeByVm.values()).size,
      pace: twin.pace,
      lateReadings: twin.lateReadings,
      passes: twin.passes,
      controllerMigrations: twin.controller,
      bmcQueries: twin.bmcQueries,
      moves: moveList(twin),
      hotNodeSteps: hotNodeSteps(twin, twin.nodes),
      controllerLog: twin.log,
    },
    replay: {
      moves: moveList(replay),
      hotNodeSteps: hotNodeSteps(
        replay,
        asEvaluated.hosts.map((host) => host.name),
      ),
    },
  };
  if (options.out !== undefined) await writeFile(options.out, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
