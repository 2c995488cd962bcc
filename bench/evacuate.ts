/**
 * The maintenance benchmark (issue 5): "evacuating a node with 40 VMs of mixed sizes must take ≤ 1.2 ×
 * the lower bound set by the concurrency limits and bandwidth; the cluster's imbalance after
 * evacuation must be no worse than a balancing pass would leave it."
 *
 *   npm run bench -- evacuate [--speed 5] [--policies DIR] [--settle 5m]
 *
 * Speed distorts: the controller's maintenance round runs once a second of WALL time, and each hand-off
 * of a freed slot costs tens of wall milliseconds, so pickup, status lag and idle slots each grow with
 * the speed in virtual seconds (ratio 1.20 at 5, 1.23 at 10, 1.28–1.34 at 20, 1.40 at 30 on a 2-core
 * machine); 5 keeps that under 2% of the bound for about three minutes of wall time.
 *
 * The maintenance-drill twin and a controller (startController, the wiring `kubedrs run` uses) run in
 * this process; the controller follows the twin's clock. Policies: the repository's policies/ copied
 * to a temporary directory with every BalancePolicy in Recommend mode, so balance passes plan but start
 * nothing that would take migration slots from the evacuation (--policies DIR uses DIR as it is). At
 * virtual start + --settle (after the cache synced and the first pass planned) node-01 is annotated
 * kubedrs.io/maintenance, as `kubedrs evacuate` does. Everything is timed in VIRTUAL seconds, read from
 * the twin's clock as its store takes each write (so to the millisecond, not the second of a
 * creationTimestamp): from the annotation to the node's kubedrs.io/evacuation status saying Ready or
 * Blocked with nothing remaining. The ETA and lower bound are the controller's, from that status.
 *
 * The breakdown splits the time: pickup (annotation → first VMIM), the migrations (first VMIM → last
 * Succeeded), and the status lag (→ Ready/Blocked). With one source node and two outbound slots, the
 * migrations' span is (Σ setup + Σ copy + idle slot time) / 2: setup is VMIM created → Running (target
 * pod start, target preparation), copy is Running → Succeeded (the pre-copy model, against the planner's
 * prediction from the VMIM's kubedrs.io/expectation), idle is a slot with nothing in it (executor
 * hand-off, and the tail where one slot has no move left). Then the live cluster is planned once
 * (captureLiveSnapshot + plan, as `kubedrs plan --kubeconfig` does): its imbalanceBefore is the
 * imbalance the evacuation left, its imbalanceAfter what a balancing pass would reach.
 */
import { TwinWatch, waitOnTwin } from "./twin-watch.ts";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { ApiClient } from "../src/adapters/kube/client/api-client.ts";
import { loadKubeconfig } from "../src/adapters/kube/client/load-kubeconfig.ts";
import { readScenario } from "../src/cli/commands/twin.ts";
import { readEvacuationStatus, type EvacuationStatus } from "../src/controller/maintenance/evacuation-status.ts";
import { captureLiveSnapshot } from "../src/controller/live-snapshot.ts";
import { type RunningController, startController } from "../src/controller/run.ts";
import { plan } from "../src/core/balance/plan.ts";
import { lowerBound } from "../src/core/evacuate/timeline.ts";
import { buildClusterModel } from "../src/core/model/cluster.ts";
import { KUBEDRS } from "../src/core/model/kubedrs-labels.ts";
import { parseDuration } from "../src/core/model/quantity.ts";
import { createRng } from "../src/core/numeric/rng.ts";
import type { PolicySet } from "../src/core/policy/policy-set.ts";
import type { KubeObject } from "../src/twin/api/types.ts";
import { createScenarioTwin } from "../src/twin/scenario-twin.ts";
import { bootScenario } from "../src/twin/scenario/index.ts";
import type { StoreEvent } from "../src/twin/store/store.ts";
import type { Twin } from "../src/twin/twin.ts";
import { option, round } from "./args.ts";

const SCENARIO = "maintenance-drill";
const NODE = "node-01";
const REASON = "bench: firmware upgrade";
const REPOSITORY_POLICIES = resolve(import.meta.dirname, "../policies");
const TARGET_RATIO = 1.2;
/** Wall time the benchmark waits for the evacuation before giving up. */
const WALL_LIMIT_MS = 20 * 60_000;
const POLL_MS = 20;

interface Settings {
  readonly speed: number;
  /** undefined: the repository's policies with balancing in Recommend mode. */
  readonly policies: string | undefined;
  /** Virtual seconds after the scenario's start at which the node is annotated. */
  readonly settleSeconds: number;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** The repository's policies, every BalancePolicy switched to Recommend, in a directory of their own. */
async function recommendOnlyPolicies(directory: string): Promise<string> {
  const target = join(directory, "policies");
  await mkdir(target);
  for (const file of (await readdir(REPOSITORY_POLICIES)).filter((name) => name.endsWith(".yaml"))) {
    const documents = parseAllDocuments(await readFile(join(REPOSITORY_POLICIES, file), "utf8"));
    const texts = (Array.isArray(documents) ? documents : []).map((document) => {
      if (document.get("kind") === "BalancePolicy") document.setIn(["spec", "automation"], "Recommend");
      return document.toString().replace(/^---\n/, "");
    });
    await writeFile(join(target, file), texts.join("---\n"));
  }
  return target;
}

interface Migration {
  readonly key: string;
  readonly vm: string;
  readonly kind: string;
  readonly createdAt: number;
  readonly creationTimestamp: string;
  /** Predicted copy seconds, from the kubedrs.io/expectation annotation ("… in ~83s"). */
  readonly predictedSeconds: number | undefined;
  readonly phases: Map<string, number>;
}

interface Done {
  readonly at: number;
  readonly status: EvacuationStatus;
}

function labelOf(object: KubeObject, key: string): string {
  return object.metadata.labels?.[key] ?? "";
}

function phaseOf(object: KubeObject): string {
  return ((object as { status?: { phase?: string } }).status?.phase ?? "").trim();
}

/**
 * What the twin's store sees, timed on the twin's clock as each write lands: migrations and their
 * phases, the controller's Events, and the node's annotations.
 */
class Recorder extends TwinWatch {
  readonly migrations = new Map<string, Migration>();
  readonly blockedEvents: { vm: string; at: number; creationTimestamp: string }[] = [];
  annotatedAt: number | undefined;
  plannedAt: number | undefined;
  /** The status the controller wrote as the evacuation started: the plan's ETA, bound and blockers. */
  first: EvacuationStatus | undefined;
  done: Done | undefined;

  constructor(twin: Twin) {
    super(twin);
    const { resources } = twin.runtime;
    this.listen(resources.migrations, (event) => this.onMigration(event));
    this.listen(resources.events, (event) => this.onEvent(event));
    this.listen(resources.nodes, (event) => this.onNode(event));
  }

  private onMigration(event: StoreEvent): void {
    if (event.type === "DELETED") return;
    const { object } = event;
    const key = `${object.metadata.namespace ?? ""}/${object.metadata.name ?? ""}`;
    let migration = this.migrations.get(key);
    if (!migration) {
      const expectation = object.metadata.annotations?.[KUBEDRS.expectation] ?? "";
      const predicted = /~(\d+)s/.exec(expectation)?.[1];
      migration = {
        key,
        vm: `${object.metadata.namespace ?? ""}/${(object as { spec?: { vmiName?: string } }).spec?.vmiName ?? ""}`,
        kind: labelOf(object, KUBEDRS.moveKind),
        createdAt: this.now(),
        creationTimestamp: object.metadata.creationTimestamp ?? "",
        predictedSeconds: predicted === undefined ? undefined : Number(predicted),
        phases: new Map(),
      };
      this.migrations.set(key, migration);
    }
    const phase = phaseOf(object);
    if (phase !== "" && !migration.phases.has(phase)) migration.phases.set(phase, this.now());
  }

  private onEvent(event: StoreEvent): void {
    if (event.type !== "ADDED") return;
    const object = event.object as KubeObject & { reason?: string; involvedObject?: { name?: string } };
    const vm = `${object.metadata.namespace ?? ""}/${object.involvedObject?.name ?? ""}`;
    if (object.reason === "EvacuationBlocked")
      this.blockedEvents.push({ vm, at: this.now(), creationTimestamp: object.metadata.creationTimestamp ?? "" });
    if (object.reason === "EvacuationPlanned" && object.involvedObject?.name === NODE) this.plannedAt ??= this.now();
  }

  private onNode(event: StoreEvent): void {
    if (event.object.metadata.name !== NODE) return;
    const annotations = event.object.metadata.annotations ?? {};
    if (this.annotatedAt === undefined && annotations[KUBEDRS.maintenance] !== undefined) this.annotatedAt = this.now();
    const { status } = readEvacuationStatus(annotations);
    if (this.annotatedAt !== undefined && status?.phase === "Evacuating") this.first ??= status;
    if (this.done || !status || status.remaining > 0) return;
    if (status.phase === "Ready" || status.phase === "Blocked") this.done = { at: this.now(), status };
  }

  evacuations(): Migration[] {
    return [...this.migrations.values()].filter((migration) => migration.kind === "evacuate");
  }
}

async function until<T>(what: string, check: () => T | undefined, twin: Twin, endsAt: number): Promise<T> {
  const waited = await waitOnTwin(twin, check, {
    virtualDeadline: endsAt,
    wallLimitMs: WALL_LIMIT_MS,
    pollMs: POLL_MS,
  });
  if ("value" in waited) return waited.value;
  throw new Error(
    waited.ended === "wall"
      ? `no ${what} within ${WALL_LIMIT_MS / 60_000} wall minutes`
      : `no ${what} before the scenario ended`,
  );
}

/** The live cluster planned once, as `kubedrs plan --kubeconfig` would, at the twin's time. */
async function balancingPlan(kubeconfig: string, policies: PolicySet, now: number): Promise<ReturnType<typeof plan>> {
  const live = await captureLiveSnapshot({ kubeconfig: loadKubeconfig(kubeconfig), policies, now });
  return plan({ model: buildClusterModel(live.snapshot), policies, now, rng: createRng(1) });
}

interface ImbalanceReport {
  readonly policy: string | undefined;
  readonly nodes: number | undefined;
  readonly imbalanceNow: number;
  readonly imbalanceAfterBalancing: number;
  readonly trigger: number | null | undefined;
  readonly goal: number | null;
  readonly moves: number;
  readonly outcome: string | undefined;
}

function imbalanceReport(result: ReturnType<typeof plan>): ImbalanceReport {
  const domain = [...result.domains].sort((a, b) => b.nodes - a.nodes)[0];
  return {
    policy: domain?.policy,
    nodes: domain?.nodes,
    imbalanceNow: round(result.imbalanceBefore, 4),
    imbalanceAfterBalancing: round(result.imbalanceAfter, 4),
    trigger: domain?.triggerImbalance,
    goal: domain?.goalImbalance ?? null,
    moves: result.moves.length,
    outcome: domain?.outcome,
  };
}

interface Timed {
  readonly createdAt: number;
  readonly runningAt: number;
  readonly endedAt: number;
  readonly predictedSeconds: number | undefined;
  readonly vm: string;
}

function timed(migrations: readonly Migration[]): Timed[] {
  return migrations.flatMap((migration) => {
    const runningAt = migration.phases.get("Running");
    const endedAt = migration.phases.get("Succeeded");
    if (runningAt === undefined || endedAt === undefined) return [];
    const { createdAt, predictedSeconds, vm } = migration;
    return [{ createdAt, runningAt, endedAt, predictedSeconds, vm }];
  });
}

/** Where the seconds went; see the header. Virtual seconds throughout. */
function breakdown(recorder: Recorder, done: Done, annotatedAt: number, lowerBoundSeconds: number): object {
  const moves = timed(recorder.evacuations());
  const firstCreated = Math.min(...moves.map((move) => move.createdAt));
  const lastEnded = Math.max(...moves.map((move) => move.endedAt));
  const setup = moves.map((move) => (move.runningAt - move.createdAt) / 1000);
  const copy = moves.map((move) => (move.endedAt - move.runningAt) / 1000);
  const predicted = moves.map((move) => move.predictedSeconds ?? 0);
  const span = (lastEnded - firstCreated) / 1000;
  const slots = 2;
  const idle = slots * span - sum(setup) - sum(copy);
  const limits = { parallel: 5, outboundPerNode: slots, inboundPerNode: 5 };
  const bound = (seconds: readonly number[]): number =>
    lowerBound(
      moves.map((move, index) => ({ vm: move.vm, from: NODE, to: "?", seconds: seconds[index] ?? 0, bytes: 0 })),
      limits,
    );
  return {
    pickupSeconds: round((firstCreated - annotatedAt) / 1000),
    plannedEventAfterSeconds:
      recorder.plannedAt === undefined ? null : round((recorder.plannedAt - annotatedAt) / 1000),
    migrationsSpanSeconds: round(span),
    statusLagSeconds: round((done.at - lastEnded) / 1000),
    perSlot: {
      setupSeconds: round(sum(setup) / slots),
      copySeconds: round(sum(copy) / slots),
      idleSeconds: round(idle / slots),
      predictedCopySeconds: round(sum(predicted) / slots),
    },
    setupSecondsPerMigration: { mean: round(sum(setup) / setup.length, 2), max: round(Math.max(...setup), 2) },
    boundFromPredictedCopy: round(bound(predicted)),
    boundFromActualCopy: round(bound(copy)),
    boundFromActualSetupAndCopy: round(bound(copy.map((seconds, index) => seconds + (setup[index] ?? 0)))),
    /** The migrations alone over the controller's bound: what the ratio is without pickup and status lag. */
    migrationsRatio: round(span / lowerBoundSeconds, 3),
  };
}

interface Checks {
  readonly allMigratableLeft: boolean;
  readonly leftBehind: readonly string[];
  readonly blockersReportedFirst: boolean;
  readonly blockedEvents: number;
  readonly balanceMigrations: number;
}

/** Every VM the plan moved is off the node; every blocker had its Event before the first VMIM existed. */
function checks(recorder: Recorder, twin: Twin, first: EvacuationStatus): Checks {
  const { store, resources } = twin.runtime;
  const leftBehind = first.vms.filter((key) => {
    const [namespace = "", name = ""] = key.split("/");
    const vmi = store.get(resources.virtualMachineInstances, namespace, name) as
      { status?: { nodeName?: string } } | undefined;
    return vmi?.status?.nodeName === NODE;
  });
  const evacuations = recorder.evacuations();
  const firstVmim = Math.min(...evacuations.map((migration) => migration.createdAt));
  const firstStamp = evacuations.map((migration) => migration.creationTimestamp).sort()[0] ?? "";
  const blockedVms = new Set(recorder.blockedEvents.map((event) => event.vm));
  return {
    allMigratableLeft: leftBehind.length === 0,
    leftBehind,
    blockersReportedFirst:
      first.blocked.every((blocked) => blockedVms.has(blocked.vm)) &&
      recorder.blockedEvents.every((event) => event.at <= firstVmim && event.creationTimestamp <= firstStamp),
    blockedEvents: recorder.blockedEvents.length,
    balanceMigrations: [...recorder.migrations.values()].filter((migration) => migration.kind !== "evacuate").length,
  };
}

function vmsOn(twin: Twin, node: string): number {
  const { store, resources } = twin.runtime;
  return store
    .list(resources.virtualMachineInstances)
    .filter((vmi) => (vmi as { status?: { nodeName?: string } }).status?.nodeName === node).length;
}

interface Rig {
  readonly twin: Twin;
  readonly kubeconfig: string;
  readonly start: number;
  readonly end: number;
  readonly controller: RunningController;
  readonly firstPass: Promise<void>;
}

async function startRig(settings: Settings, directory: string): Promise<Rig> {
  const scenario = await readScenario(SCENARIO);
  const { twin, applied } = createScenarioTwin(scenario, { speed: settings.speed });
  bootScenario(twin);
  await twin.listen(0);
  const kubeconfig = join(directory, "kubeconfig");
  await writeFile(kubeconfig, twin.kubeconfig());
  void twin.start(settings.speed, applied.end);
  const policies = settings.policies ?? (await recommendOnlyPolicies(directory));
  let passed: () => void = () => undefined;
  const firstPass = new Promise<void>((done) => (passed = done));
  const controller = await startController({
    kubeconfig,
    policies,
    clock: "twin",
    identity: "bench-evacuate",
    logLevel: "silent",
    onPass: () => passed(),
  }).catch(async (error: unknown) => {
    await twin.stop();
    throw error;
  });
  return { twin, kubeconfig, start: applied.start, end: applied.end, controller, firstPass };
}

async function annotate(kubeconfig: string): Promise<void> {
  const api = new ApiClient(loadKubeconfig(kubeconfig));
  await api.patch(`/api/v1/nodes/${NODE}`, { metadata: { annotations: { [KUBEDRS.maintenance]: REASON } } });
}

async function measure(settings: Settings, rig: Rig): Promise<object> {
  const { twin, controller } = rig;
  const policies = controller.keeper.current();
  if (!policies) throw new Error("the controller holds no policies");
  await rig.firstPass;
  await until(
    "settle time",
    () => (twin.runtime.clock.now() >= rig.start + settings.settleSeconds * 1000 ? true : undefined),
    twin,
    rig.end,
  );
  const before = await balancingPlan(rig.kubeconfig, policies, twin.runtime.clock.now());
  const vms = vmsOn(twin, NODE);
  const recorder = new Recorder(twin);
  const wallStarted = performance.now();
  await annotate(rig.kubeconfig);
  const done = await until("Ready or Blocked evacuation status", () => recorder.done, twin, rig.end);
  const wallSeconds = (performance.now() - wallStarted) / 1000;
  recorder.stop();
  const annotatedAt = recorder.annotatedAt ?? done.at;
  const after = await balancingPlan(rig.kubeconfig, policies, twin.runtime.clock.now());
  return report({ settings, recorder, done, annotatedAt, vms, wallSeconds, twin, before, after });
}

interface Measured {
  readonly settings: Settings;
  readonly recorder: Recorder;
  readonly done: Done;
  readonly annotatedAt: number;
  readonly vms: number;
  readonly wallSeconds: number;
  readonly twin: Twin;
  readonly before: ReturnType<typeof plan>;
  readonly after: ReturnType<typeof plan>;
}

function report(measured: Measured): object {
  const { recorder, done, annotatedAt, settings } = measured;
  const first = recorder.first ?? done.status;
  const evacuations = recorder.evacuations();
  const actualSeconds = (done.at - annotatedAt) / 1000;
  const afterReport = imbalanceReport(measured.after);
  return {
    scenario: SCENARIO,
    node: NODE,
    speed: settings.speed,
    policies: settings.policies ?? "policies/ with every BalancePolicy in Recommend mode",
    vms: measured.vms,
    migratable: first.vms.length,
    blockers: first.blocked.length,
    blocked: first.blocked.map((blocked) => `${blocked.vm}: ${blocked.action}`),
    phase: done.status.phase,
    lowerBoundSeconds: round(first.lowerBoundSeconds),
    etaSeconds: round(first.etaSeconds),
    actualSeconds: round(actualSeconds),
    ratio: round(actualSeconds / first.lowerBoundSeconds, 3),
    target: TARGET_RATIO,
    met: actualSeconds / first.lowerBoundSeconds <= TARGET_RATIO,
    migrations: evacuations.length,
    failed: evacuations.filter((migration) => migration.phases.has("Failed")).length,
    imbalanceAfterEvacuation: afterReport.imbalanceNow,
    imbalanceAfterBalancing: afterReport.imbalanceAfterBalancing,
    goal: afterReport.goal,
    wallSeconds: round(measured.wallSeconds),
    breakdown: breakdown(recorder, done, annotatedAt, first.lowerBoundSeconds),
    checks: checks(recorder, measured.twin, first),
    imbalance: { beforeEvacuation: imbalanceReport(measured.before), afterEvacuation: afterReport },
  };
}

export async function run(args: string[]): Promise<unknown> {
  const settle = option(args, "--settle") ?? "5m";
  const settings: Settings = {
    speed: Number(option(args, "--speed") ?? "5"),
    policies: option(args, "--policies"),
    settleSeconds: parseDuration(settle) ?? 300,
  };
  if (!(settings.speed > 0)) throw new Error("--speed must be a number above 0");
  const directory = await mkdtemp(join(tmpdir(), "kubedrs-bench-evacuate-"));
  const started = performance.now();
  try {
    const rig = await startRig(settings, directory);
    try {
      const result = await measure(settings, rig);
      return {
        benchmark: "evacuate",
        nodeVersion: process.version,
        ...result,
        totalWallSeconds: round((performance.now() - started) / 1000),
      };
    } finally {
      await rig.controller.stop();
      await rig.twin.stop();
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
