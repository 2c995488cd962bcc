/**
 * `kubedrs run` wired up: API client, clock, logger, metrics and health endpoints, the policy source
 * and the keeper of the last good set, leader election, and the controller. The CLI, the demo and the
 * end-to-end tests all start the controller through here, so they run the same thing.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { DestinationStream, Logger } from "pino";
import { Registry } from "prom-client";
import { ApiClient } from "../adapters/kube/client/api-client.ts";
import { loadKubeconfig } from "../adapters/kube/client/load-kubeconfig.ts";
import type { PolicySet } from "../core/policy/policy-set.ts";
import { type Clock, systemClock, TwinClock } from "./clock.ts";
import { Controller, type PassReport } from "./controller.ts";
import { EventRecorder } from "./executor/event-recorder.ts";
import { LeaseElector } from "./leader/lease-elector.ts";
import { HeapRelease } from "./observability/heap-release.ts";
import { componentLogger, createRootLogger } from "./observability/logger.ts";
import { startHealthServer, type HealthServer } from "./observability/http-server.ts";
import { type ControllerMetrics, createControllerMetrics } from "./observability/metrics.ts";
import { createFailoverMetrics } from "./failover/failover-metrics.ts";
import { createMaintenanceMetrics } from "./maintenance/maintenance-metrics.ts";
import { PolicyCrdSource } from "./policies/crd-source.ts";
import { PolicyDirectorySource } from "./policies/directory-source.ts";
import { PolicyKeeper } from "./policies/policy-keeper.ts";
import type { PolicyLoad } from "./policies/policy-load.ts";
import type { UsageSource } from "./usage/types.ts";
import type { LauncherPodRef } from "./usage/metrics-api-source.ts";
import { clusterMetricsSettings, usageSourceFor } from "./usage/select-source.ts";

export interface RunOptions {
  /** A kubeconfig file; in-cluster config when unset. */
  readonly kubeconfig?: string;
  /** A directory of policy files, or "crd" for the kubedrs.io custom resources. */
  readonly policies: string;
  /** "wall", or "twin" to follow a twin's virtual clock. */
  readonly clock: "wall" | "twin";
  /** Health and metrics port; undefined for none (the demo), 0 for any. */
  readonly port?: number;
  readonly identity: string;
  /** kubedrs' own namespace (the BMC credentials Secret, the Events on its Lease); the leader Lease's when unset, else "default". */
  readonly namespace?: string;
  readonly leaderElection?: {
    readonly namespace: string;
    readonly name: string;
    readonly leaseDurationSeconds?: number;
    readonly renewDeadlineSeconds?: number;
    readonly retryPeriodSeconds?: number;
  };
  readonly metricsSource?: "Auto" | "Prometheus" | "MetricsAPI";
  readonly logLevel?: string;
  readonly logDestination?: DestinationStream;
  readonly seed?: number;
  /** Soft memory target in bytes: above it, freed memory is handed back after each usage sample. */
  readonly memoryTarget?: number;
  readonly onPass?: (pass: PassReport) => void;
}

export interface RunningController {
  readonly controller: Controller;
  readonly keeper: PolicyKeeper;
  readonly registry: Registry;
  readonly health: HealthServer | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  isLeader(): boolean;
  stop(options?: { release?: boolean }): Promise<void>;
}

interface PolicySource {
  start(): Promise<PolicyLoad>;
  stop(): void;
}

/** Keeps the usage source for the metrics settings in force, made anew only when they change. */
function usageSources(
  kubeconfig: KubeConfig,
  forced: RunOptions["metricsSource"],
  log: Logger,
  vmiOf: (pod: LauncherPodRef) => string | undefined,
): (policies: PolicySet) => UsageSource | undefined {
  let cached: { key: string; source: UsageSource | undefined } | undefined;
  return (policies) => {
    const metrics = clusterMetricsSettings(policies);
    const settings = { source: forced ?? metrics.source, prometheus: metrics.prometheus };
    const key = JSON.stringify(settings);
    if (cached?.key === key) return cached.source;
    try {
      cached = { key, source: usageSourceFor(settings, kubeconfig, { vmiOf }) };
      log.info({ source: cached.source?.kind }, "usage source");
    } catch (error) {
      log.error({ err: (error as Error).message }, "no usage source; planning on requests only");
      cached = { key, source: undefined };
    }
    return cached.source;
  };
}

interface PolicyWiring {
  readonly api: ApiClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  readonly keeper: PolicyKeeper;
}

/** The policy source, feeding the keeper; a rejected set is logged, counted and posted as an Event. */
function createPolicySource(options: RunOptions, kubeconfig: KubeConfig, wiring: PolicyWiring): PolicySource {
  const { keeper, metrics } = wiring;
  const log = componentLogger(wiring.log, "policies");
  const events = new EventRecorder({ api: wiring.api, clock: wiring.clock, log, instance: options.identity });
  const eventTarget = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace: ownNamespace(options),
    name: options.leaderElection?.name ?? "kubedrs",
  };
  const onLoad = (load: PolicyLoad): void => {
    const verdict = keeper.offer(load);
    if (verdict.accepted && verdict.changed) {
      metrics.policyAccepted();
      log.info({ generation: verdict.generation, origin: verdict.origin }, verdict.summary);
    }
    if (verdict.accepted) return;
    metrics.policyRejected(verdict.errors.length);
    log.error({ origin: verdict.origin, errors: verdict.errors }, verdict.summary);
    void events.record(eventTarget, "Warning", "PolicyRejected", `${verdict.summary}: ${verdict.errors.join("; ")}`);
  };
  return options.policies === "crd"
    ? new PolicyCrdSource({ kubeconfig, onLoad })
    : new PolicyDirectorySource({ directory: options.policies, onLoad });
}

function createElector(options: RunOptions, kubeconfig: KubeConfig, log: Logger): LeaseElector | undefined {
  if (!options.leaderElection) return undefined;
  return new LeaseElector({
    kubeconfig,
    identity: options.identity,
    logger: componentLogger(log, "leader"),
    ...options.leaderElection,
  });
}

function ownNamespace(options: RunOptions): string {
  return options.namespace ?? options.leaderElection?.namespace ?? "default";
}

/** Hands freed memory back after big allocations; says once when the runtime cannot (no --expose-gc). */
function createHeapRelease(options: RunOptions, log: Logger): HeapRelease {
  const release = new HeapRelease(options.memoryTarget === undefined ? {} : { targetBytes: options.memoryTarget });
  if (!release.enabled) log.info("memory is not released after big allocations: run Node with --expose-gc");
  return release;
}

export async function startController(options: RunOptions): Promise<RunningController> {
  const log = createRootLogger({
    ...(options.logLevel !== undefined && { level: options.logLevel }),
    ...(options.logDestination !== undefined && { destination: options.logDestination }),
  });
  const kubeconfig = loadKubeconfig(options.kubeconfig);
  const api = new ApiClient(kubeconfig);
  const clock = options.clock === "twin" ? new TwinClock(api) : systemClock;
  if (clock instanceof TwinClock) await clock.start();
  const registry = new Registry();
  const metrics = createControllerMetrics(registry);
  const keeper = new PolicyKeeper();
  const elector = createElector(options, kubeconfig, log);
  const isLeader = (): boolean => elector?.isLeader() ?? true;
  metrics.setLeader(isLeader());
  elector?.onChange((leading) => {
    metrics.setLeader(leading);
    log.info({ identity: options.identity }, leading ? "became the leader" : "no longer the leader");
  });
  const heapRelease = createHeapRelease(options, log);
  const controller: Controller = new Controller({
    api,
    clock,
    log,
    metrics,
    policies: () => keeper.current(),
    usageSource: usageSources(
      kubeconfig,
      options.metricsSource,
      componentLogger(log, "usage"),
      (pod): string | undefined => controller.vmiOfLauncher(pod),
    ),
    isLeader,
    identity: options.identity,
    namespace: ownNamespace(options),
    heapRelease,
    maintenanceMetrics: createMaintenanceMetrics(registry),
    failoverMetrics: createFailoverMetrics(registry),
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.onPass && { onPass: options.onPass }),
  });
  const source = createPolicySource(options, kubeconfig, { api, clock, log, metrics, keeper });
  await source.start();
  const health =
    options.port === undefined
      ? undefined
      : await startHealthServer({ port: options.port, registry, live: () => true, ready: () => controller.notReady() });
  elector?.start();
  await controller.start();
  log.info(
    { identity: options.identity, policies: options.policies, clock: options.clock },
    "kubedrs controller running",
  );
  return {
    controller,
    keeper,
    registry,
    health,
    clock,
    log,
    isLeader,
    async stop(stopOptions = {}) {
      source.stop();
      await controller.stop();
      await elector?.stop({ release: stopOptions.release ?? true });
      await health?.close();
      if (clock instanceof TwinClock) clock.stop();
    },
  };
}
