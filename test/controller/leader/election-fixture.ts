/**
 * What the leader-election tests share: a twin serving Leases over HTTP, electors with short
 * timings (2 s lease, 1.5 s renew deadline, 0.25 s retry) that are stopped after each test, a
 * sampler that checks at short intervals that no two electors lead at once, and a log sink.
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { type Logger, pino } from "pino";
import { LeaseElector, type LeaseElectorOptions } from "../../../src/controller/leader/lease-elector.ts";
import type { KubeObject } from "../../../src/twin/api/types.ts";
import { twinKubeconfig } from "../../../src/twin/kubeconfig.ts";
import { Twin } from "../../../src/twin/twin.ts";
import { ApiProxy } from "../support/api-proxy.ts";
import { NS, TIMING } from "./election-timing.ts";

export { LEASE_MS, NS, RENEW_MS, RETRY_MS, TIMING } from "./election-timing.ts";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 5 ms; resolves with the wall-clock time it first held. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
  return Date.now();
}

/** A pino logger whose JSON lines land in `lines`. */
export function memoryLogger(level = "debug"): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/** Asks every elector `isLeader()` every few milliseconds and keeps the instants two said yes. */
export class LeadershipSampler {
  readonly overlaps: { readonly at: number; readonly leaders: string[] }[] = [];
  samples = 0;
  private readonly electors: readonly LeaseElector[];
  private readonly timer: NodeJS.Timeout;

  constructor(electors: readonly LeaseElector[], everyMs = 3) {
    this.electors = electors;
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    this.samples += 1;
    const leaders = this.electors.filter((elector) => elector.isLeader()).map((elector) => elector.identity);
    if (leaders.length > 1) this.overlaps.push({ at: Date.now(), leaders });
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export class ElectionFixture {
  readonly twin: Twin;
  readonly url: string;
  private readonly electors: LeaseElector[] = [];
  private readonly proxies: ApiProxy[] = [];

  private constructor(twin: Twin, url: string) {
    this.twin = twin;
    this.url = url;
  }

  static async start(): Promise<ElectionFixture> {
    const twin = Twin.create({ seed: 1, start: Date.UTC(2026, 0, 1) });
    twin.runtime.store.create(twin.runtime.resources.namespaces, { metadata: { name: NS } });
    return new ElectionFixture(twin, await twin.listen(0));
  }

  kubeconfig(server = this.url): KubeConfig {
    const config = new KubeConfig();
    config.loadFromString(twinKubeconfig(server));
    return config;
  }

  /** An elector for `lease` in the test namespace, talking to the twin (or to `server`). */
  elector(
    identity: string,
    lease: string,
    options: Partial<LeaseElectorOptions> & { server?: string } = {},
  ): LeaseElector {
    const { server, ...rest } = options;
    const elector = new LeaseElector({
      kubeconfig: this.kubeconfig(server),
      namespace: NS,
      name: lease,
      identity,
      ...TIMING,
      ...rest,
    });
    this.electors.push(elector);
    return elector;
  }

  async proxy(): Promise<ApiProxy> {
    const proxy = await ApiProxy.start(this.url);
    this.proxies.push(proxy);
    return proxy;
  }

  /** The lease as the twin holds it. */
  lease(name: string): KubeObject | undefined {
    return this.twin.runtime.store.get(this.twin.runtime.resources.leases, NS, name);
  }

  holder(name: string): unknown {
    return this.lease(name)?.spec?.holderIdentity;
  }

  /** Stops this test's electors without releasing (quicker), and its proxies. */
  async reset(): Promise<void> {
    await Promise.all(this.proxies.splice(0).map((proxy) => proxy.close()));
    await Promise.all(this.electors.splice(0).map((elector) => elector.stop({ release: false })));
  }

  async close(): Promise<void> {
    await this.reset();
    await this.twin.stop();
  }
}

/** One fixture per test file: started before its tests, reset after each, closed after them all. */
export function useElectionFixture(): () => ElectionFixture {
  let fixture: ElectionFixture | undefined;
  beforeAll(async () => {
    fixture = await ElectionFixture.start();
  });
  afterEach(async () => {
    await fixture?.reset();
  });
  afterAll(async () => {
    await fixture?.close();
  });
  return () => {
    if (fixture === undefined) throw new Error("the election fixture is used outside a test");
    return fixture;
  };
}
