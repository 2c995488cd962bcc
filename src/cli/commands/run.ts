/**
 * `kubedrs run`: the controller. Against the cluster of a kubeconfig (or in-cluster config), with
 * policies from a directory that reloads on change or from the kubedrs.io CRDs. With
 * --leader-elect only the replica holding the Lease acts. Runs until SIGINT or SIGTERM, then hands
 * the Lease over so a standby takes over at once.
 */
import { hostname } from "node:os";
import { type Command, InvalidArgumentError } from "commander";
import { startController } from "../../controller/run.ts";
import { parseQuantity } from "../../core/model/quantity.ts";
import { choice, positiveInteger } from "./options.ts";

interface RunFlags {
  kubeconfig?: string;
  policies: string;
  clock: "wall" | "twin";
  port: number;
  identity: string;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
  metricsSource?: "Auto" | "Prometheus" | "MetricsAPI";
  logLevel: string;
  seed: number;
  memoryTarget?: number;
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError("expected a number of seconds > 0");
  return parsed;
}

function bytes(value: string): number {
  const parsed = parseQuantity(value);
  if (parsed === undefined || parsed <= 0) throw new InvalidArgumentError("expected a quantity such as 400Mi");
  return parsed;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

async function run(flags: RunFlags): Promise<void> {
  const running = await startController({
    ...(flags.kubeconfig !== undefined && { kubeconfig: flags.kubeconfig }),
    policies: flags.policies,
    clock: flags.clock,
    port: flags.port,
    identity: flags.identity,
    namespace: flags.leaderElectionNamespace,
    ...(flags.leaderElect && {
      leaderElection: {
        namespace: flags.leaderElectionNamespace,
        name: flags.leaderElectionId,
        leaseDurationSeconds: flags.leaseDuration,
        renewDeadlineSeconds: flags.renewDeadline,
        retryPeriodSeconds: flags.retryPeriod,
      },
    }),
    ...(flags.metricsSource !== undefined && { metricsSource: flags.metricsSource }),
    logLevel: flags.logLevel,
    seed: flags.seed,
    ...(flags.memoryTarget !== undefined && { memoryTarget: flags.memoryTarget }),
  });
  const signal = await waitForSignal();
  running.log.info({ signal }, "stopping");
  await running.stop();
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the controller: balance VMs by live migration, as the policies say")
    .option("--kubeconfig <file>", "kubeconfig of the cluster; in-cluster config when omitted")
    .option(
      "--policies <dir|crd>",
      "a policy directory (reloaded on change), or crd for the kubedrs.io resources",
      "crd",
    )
    .option(
      "--clock <wall|twin>",
      "wall time, or a twin's virtual clock (demo, tests)",
      choice(["wall", "twin"] as const),
      "wall",
    )
    .option("--port <n>", "port for /healthz, /readyz and /metrics (0: any)", positiveInteger, 8080)
    .option(
      "--identity <name>",
      "this replica's name in the leader Lease",
      process.env.POD_NAME ?? `${hostname()}-${process.pid}`,
    )
    .option("--leader-elect", "act only while holding the leader Lease", false)
    .option(
      "--leader-election-namespace <ns>",
      "kubedrs' own namespace: the leader Lease, the BMC credentials Secret",
      process.env.POD_NAMESPACE ?? "kubedrs-system",
    )
    .option("--leader-election-id <name>", "name of the leader Lease", "kubedrs-leader")
    .option("--lease-duration <s>", "how long a standby waits before taking over", seconds, 15)
    .option("--renew-deadline <s>", "how long a leader keeps acting without renewing", seconds, 10)
    .option("--retry-period <s>", "how often the leader renews and a standby retries", seconds, 2)
    .option(
      "--metrics-source <source>",
      "override the policies' metrics source",
      choice(["Auto", "Prometheus", "MetricsAPI"] as const),
    )
    .option("--log-level <level>", "pino log level", "info")
    .option("--seed <n>", "seed for the planner's tie-breaking", positiveInteger, 1)
    .option(
      "--memory-target <bytes>",
      "soft memory target (e.g. 400Mi): above it, freed memory goes back to the OS after each usage sample",
      bytes,
    )
    .action(run);
}
