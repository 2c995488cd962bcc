/**
 * The twin: a simulated KubeVirt cluster behind the real Kubernetes API. It wires the clock,
 * the store, the ground truth and the simulated controllers (Kubernetes, KubeVirt, medik8s,
 * workloads), and serves them over HTTP. It runs in virtual time, either paced against the wall
 * clock (`start`) or as fast as it can (`advance`), deterministically for a scenario and seed.
 */
import { Pacer } from "./clock/pacer.ts";
import { twinKubeconfig } from "./kubeconfig.ts";
import { redfishRoute } from "./kube/bmc/redfish.ts";
import { type KubernetesOptions, startKubernetes } from "./kube/index.ts";
import { startKubeVirt } from "./kubevirt/index.ts";
import { createRuntime } from "./runtime/create-runtime.ts";
import { DelegatingWorkload } from "./runtime/delegating-workload.ts";
import type { Controller, TwinRuntime } from "./runtime/runtime.ts";
import { ApiServer, type Route } from "./server/api-server.ts";
import type { AuditOptions } from "./server/audit.ts";
import { type WorkloadOptions, startWorkloads } from "./workload/index.ts";

export interface TwinOptions {
  readonly seed: number;
  /** Virtual start time, ms since the epoch. */
  readonly start: number;
  /** Extra HTTP routes (runtime control). */
  readonly routes?: readonly Route[];
  /** Timings and limits of the simulated Kubernetes components; unset values keep the real defaults. */
  readonly kubernetes?: KubernetesOptions;
  readonly workloads?: WorkloadOptions;
  /** Record the API requests clients make (`twin.server.audit()`), for tests that check them against RBAC. */
  readonly audit?: AuditOptions;
}

export class Twin {
  readonly runtime: TwinRuntime;
  readonly server: ApiServer;
  private readonly controllers: Controller[];
  private pacer: Pacer | undefined;
  private url: string | undefined;

  private constructor(runtime: TwinRuntime, server: ApiServer, controllers: Controller[]) {
    this.runtime = runtime;
    this.server = server;
    this.controllers = controllers;
  }

  static create(options: TwinOptions): Twin {
    const workload = new DelegatingWorkload();
    const eviction: { evict: (namespace: string, name: string, body: unknown) => void } = { evict: () => undefined };
    const runtime = createRuntime({
      seed: options.seed,
      start: options.start,
      workload,
      evictPod: (namespace, name) => eviction.evict(namespace, name, undefined),
    });
    const { registry, store, clock } = runtime;
    const kubernetes = startKubernetes(runtime, options.kubernetes);
    const kubevirt = startKubeVirt(runtime);
    const workloads = startWorkloads(runtime, options.workloads);
    workload.install(workloads.source);
    eviction.evict = (namespace, name, body) => {
      kubevirt.admitEviction(namespace, name, body);
      kubernetes.evict(namespace, name, body);
    };
    const server = new ApiServer(registry, store, clock, {
      evict: eviction.evict,
      virtual: workloads.virtual,
      routes: [...workloads.routes, redfishRoute(runtime.truth), ...(options.routes ?? [])],
      ...(options.audit && { audit: options.audit }),
    });
    return new Twin(runtime, server, [...kubernetes.controllers, ...kubevirt.controllers, ...workloads.controllers]);
  }

  /** Serves the API on 127.0.0.1; returns the server URL. */
  async listen(port = 0): Promise<string> {
    const info = await this.server.listen(port);
    this.url = `http://127.0.0.1:${info.port}`;
    return this.url;
  }

  kubeconfig(): string {
    if (!this.url) throw new Error("the twin is not listening yet");
    return twinKubeconfig(this.url);
  }

  /** Runs virtual time forward by `ms` as fast as it goes (tests, replays). */
  advance(ms: number): void {
    this.runtime.clock.runUntil(this.runtime.clock.now() + ms);
  }

  /**
   * Paces virtual time against the wall clock, `speed` times faster, until virtual time `end`;
   * resolves when it gets there or when pacing is paused.
   */
  start(speed: number, end = Number.POSITIVE_INFINITY): Promise<void> {
    this.pause();
    this.pacer = new Pacer(this.runtime.clock, speed, end);
    return this.pacer.run();
  }

  /** Stops pacing; the API keeps serving. */
  pause(): void {
    this.pacer?.stop();
    this.pacer = undefined;
  }

  async stop(): Promise<void> {
    this.pause();
    for (const controller of this.controllers) controller.stop();
    await this.server.close();
  }
}
