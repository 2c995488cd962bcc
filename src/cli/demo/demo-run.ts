/**
 * The demo: the twin boots the skewed demo scenario, the real controller runs against it over HTTP
 * (through client-node, on the twin's virtual clock, with the example policies in policies/), and a
 * live view follows until the scenario's hour has passed. Then a summary: imbalance before and
 * after, migrations, time taken. The controller's JSON log goes to a file, named at the end.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { PlannedMove } from "../../core/balance/plan-types.ts";
import { EMPTY_POLICY_SET, primaryBalancePolicy } from "../../core/policy/policy-set.ts";
import type { PassReport } from "../../controller/controller.ts";
import { type RunningController, startController } from "../../controller/run.ts";
import { bootScenario } from "../../twin/scenario/index.ts";
import { readScenario } from "../commands/twin.ts";
import { createScenarioTwin } from "../../twin/scenario-twin.ts";
import { type DemoFrame, type DemoSummary, renderFrame, renderSummary } from "../views/demo-view.ts";
import type { ObservedMigration } from "../../controller/executor/vmim.ts";
import { kubedrsMigrations, migrationRows, moveLine, nodeRows } from "./frame-data.ts";

export interface DemoOptions {
  readonly scenario: string;
  readonly policies: string;
  readonly speed: number;
  /** Wall milliseconds between frames. */
  readonly frameEveryMs: number;
  readonly out: NodeJS.WriteStream;
}

interface DemoState {
  readonly passes: PassReport[];
  readonly planned: PlannedMove[];
  /** Every line of the story so far; the view shows the last few. */
  readonly lines: string[];
  firstBelowTarget: number | undefined;
}

const RECENT_LINES = 8;
const CLEAR = "\x1b[2J\x1b[H";

function onPass(state: DemoState, scenarioStart: number): (pass: PassReport) => void {
  return (pass) => {
    state.passes.push(pass);
    const domain = pass.plan.domains[0];
    const time = new Date(pass.at).toISOString();
    if (domain && domain.triggerImbalance !== null && domain.imbalanceBefore < domain.triggerImbalance)
      state.firstBelowTarget ??= (pass.at - scenarioStart) / 1000;
    for (const move of pass.plan.moves.slice(0, pass.executed)) {
      state.planned.push(move);
      state.lines.push(moveLine(time, move, move.imbalanceAfter));
    }
    if (pass.plan.moves.length === 0)
      state.lines.push(`${time.slice(11, 16)} pass: imbalance ${pass.plan.imbalanceBefore.toFixed(3)}, nothing to do`);
  };
}

interface PassFacts {
  readonly policy: string;
  readonly automation: string;
  readonly maxCpu: number;
  readonly imbalance: number;
  readonly trigger: number | null;
}

function passFacts(running: RunningController, last: PassReport | undefined): PassFacts {
  const policy = primaryBalancePolicy(running.keeper.current() ?? EMPTY_POLICY_SET);
  const domain = last?.plan.domains[0];
  return {
    policy: policy.metadata.name,
    automation: policy.spec.automation,
    maxCpu: policy.spec.utilization.maxCpu,
    imbalance: domain?.imbalanceBefore ?? Number.NaN,
    trigger: domain?.triggerImbalance ?? null,
  };
}

function migrationCounts(migrations: readonly ObservedMigration[]): { succeeded: number; failed: number } {
  return {
    succeeded: migrations.filter((migration) => migration.phase === "Succeeded").length,
    failed: migrations.filter((migration) => migration.phase === "Failed").length,
  };
}

function frame(
  running: RunningController,
  state: DemoState,
  timing: { start: number; wallStart: number; speed: number },
): DemoFrame {
  const last = state.passes.at(-1);
  const facts = passFacts(running, last);
  const migrations = kubedrsMigrations(running.controller.cache.list("vmims"));
  const inFlight = migrations.filter((migration) => !migration.final);
  const now = running.clock.now();
  return {
    time: new Date(now).toISOString(),
    elapsedSeconds: (now - timing.start) / 1000,
    wallSeconds: (performance.now() - timing.wallStart) / 1000,
    speed: timing.speed,
    policy: facts.policy,
    automation: facts.automation,
    imbalance: facts.imbalance,
    target: facts.trigger,
    trigger: facts.trigger,
    nodes: nodeRows(last?.snapshot.nodes ?? [], running.controller.latestSample(), inFlight, facts.maxCpu),
    migrations: migrationRows(inFlight),
    counts: { planned: state.planned.length, started: migrations.length, ...migrationCounts(migrations) },
    imbalanceHistory: state.passes.map((pass) => pass.plan.domains[0]?.imbalanceBefore ?? pass.plan.imbalanceBefore),
    recent: state.lines.slice(-RECENT_LINES),
  };
}

/** How the controller's migrations ended, from its own kubedrs_migrations_total (a cancelled one leaves no VMIM). */
async function endings(running: RunningController): Promise<Omit<DemoSummary["migrations"], "planned">> {
  const metric = await running.registry.getSingleMetric("kubedrs_migrations_total")?.get();
  const counts = new Map<string, number>();
  for (const { labels, value } of metric?.values ?? []) {
    const outcome = String(labels.outcome);
    counts.set(outcome, (counts.get(outcome) ?? 0) + value);
  }
  const count = (outcome: string): number => counts.get(outcome) ?? 0;
  // Misplaced and aborted migrations did not do what was planned either.
  return {
    succeeded: count("succeeded"),
    failed: count("failed") + count("misplaced") + count("aborted"),
    cancelled: count("cancelled"),
  };
}

async function summary(
  state: DemoState,
  running: RunningController,
  facts: { scenario: string; nodes: number; vms: number; virtualSeconds: number; wallSeconds: number },
): Promise<DemoSummary> {
  const ended = await endings(running);
  const first = state.passes[0]?.plan.domains[0];
  const last = passFacts(running, state.passes.at(-1));
  const migrations = kubedrsMigrations(running.controller.cache.list("vmims"));
  const succeeded = new Set(
    migrations.filter((migration) => migration.phase === "Succeeded").map((migration) => migration.vm),
  );
  return {
    ...facts,
    imbalanceBefore: first?.imbalanceBefore ?? Number.NaN,
    imbalanceAfter: last.imbalance,
    target: last.trigger,
    timeToTargetSeconds: state.firstBelowTarget ?? null,
    migrations: { planned: state.planned.length, ...ended },
    bytesMoved: state.planned.filter((move) => succeeded.has(move.vm)).reduce((sum, move) => sum + move.cost.bytes, 0),
    hotNodesBefore: first?.hotNodesBefore ?? [],
    hotNodesAfter: state.passes.at(-1)?.plan.domains[0]?.hotNodesBefore ?? [],
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const scenario = await readScenario(options.scenario);
  const { twin, applied } = createScenarioTwin(scenario, { speed: options.speed });
  bootScenario(twin);
  const url = await twin.listen(0);
  const directory = await mkdtemp(join(tmpdir(), "kubedrs-demo-"));
  const kubeconfig = join(directory, "twin.kubeconfig");
  const logFile = join(directory, "controller.log");
  await writeFile(kubeconfig, twin.kubeconfig());
  const state: DemoState = { passes: [], planned: [], lines: [], firstBelowTarget: undefined };
  const running = await startController({
    kubeconfig,
    policies: options.policies,
    clock: "twin",
    identity: "kubedrs-demo",
    logDestination: pino.destination({ dest: logFile, sync: false }),
    onPass: onPass(state, applied.start),
  });
  const live = options.out.isTTY === true;
  options.out.write(
    `twin ${applied.name}: ${applied.nodes} nodes, ${applied.vms} VMs at ${url}; controller log: ${logFile}\n`,
  );
  const wallStart = performance.now();
  const timing = { start: applied.start, wallStart, speed: options.speed };
  let printed = 0;
  const draw = setInterval(() => {
    if (live)
      options.out.write(
        CLEAR + renderFrame(frame(running, state, timing), { columns: options.out.columns || 100, color: true }) + "\n",
      );
    else for (; printed < state.lines.length; printed++) options.out.write(`${state.lines[printed] ?? ""}\n`);
  }, options.frameEveryMs);
  await twin.start(options.speed, applied.end);
  clearInterval(draw);
  const virtualSeconds = (running.clock.now() - applied.start) / 1000;
  const result = await summary(state, running, {
    scenario: applied.name,
    nodes: applied.nodes,
    vms: applied.vms,
    virtualSeconds,
    wallSeconds: (performance.now() - wallStart) / 1000,
  });
  await running.stop();
  await twin.stop();
  options.out.write(
    `\n${renderSummary(result, { color: live })}\ncontroller log: ${logFile}\nkubeconfig (twin stopped): ${kubeconfig}\n`,
  );
  return result;
}
