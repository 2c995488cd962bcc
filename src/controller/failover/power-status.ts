/**
 * The second detection signal, out of band: a suspect host's BMC asked for its power state over
 * Redfish (GET the ComputerSystem, read PowerState). core/failover's powerQueries says which BMCs
 * are worth asking (only nodes whose Lease is overdue); this asks each at most once per its interval
 * and never twice at once, and keeps the latest answer per node for the next round's snapshot. At
 * most `maxInFlight` queries are out at once, the longest-unasked first: when the controller loses
 * touch with every kubelet, every Lease looks overdue, and that must not become a query to every
 * BMC in the data centre at once.
 * An answer wakes a round, so a host found Off is declared failed without waiting for the next tick.
 *
 * Credentials, when the Secret exists, are its `username` and `password`, sent as HTTP Basic (what
 * Redfish services accept besides sessions). A BMC that does not answer in time reads Unknown, which
 * the detector takes as no evidence either way.
 */
import type { Logger } from "pino";
import { Agent, fetch } from "undici";
import { type ApiClient, KubeApiError } from "../../adapters/kube/client/api-client.ts";
import type { PowerQuery } from "../../core/failover/detect.ts";
import type { SnapshotNode } from "../../core/model/snapshot.ts";

export type PowerReadingDoc = NonNullable<SnapshotNode["power"]>;

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

interface PowerStatusDeps {
  /** The controller's clock (the twin's under the twin): when an answer counts as observed. */
  readonly now: () => number;
  /** The BMC credentials, or undefined to send none. */
  readonly credentials: () => Promise<BasicCredentials | undefined>;
  /** Called after each answer, to run a round on it. */
  readonly onReading: () => void;
  readonly log: Logger;
  /** Queries out at once; DEFAULT_MAX_IN_FLIGHT when unset. */
  readonly maxInFlight?: number;
}

const DEFAULT_MAX_IN_FLIGHT = 16;

/** Redfish's PowerState values; PoweringOff is not off yet, so only Off counts as off. */
function stateOf(document: unknown): PowerReadingDoc["state"] {
  const state = (document as { PowerState?: unknown } | null)?.PowerState;
  if (state === "Off") return "Off";
  return state === "On" || state === "PoweringOn" || state === "PoweringOff" || state === "Paused" ? "On" : "Unknown";
}

const VERIFYING = new Agent();
const TRUSTING = new Agent({ connect: { rejectUnauthorized: false } });

export class PowerStatusReader {
  private readonly deps: PowerStatusDeps;
  private readonly readings = new Map<string, PowerReadingDoc>();
  private readonly askedAt = new Map<string, number>();
  private readonly asking = new Set<string>();
  /** The nodes the last `ask` was about. */
  private wanted: ReadonlySet<string> = new Set();

  constructor(deps: PowerStatusDeps) {
    this.deps = deps;
  }

  /** The latest answer per node, for the snapshot. */
  current(): ReadonlyMap<string, PowerReadingDoc> {
    return this.readings;
  }

  /**
   * Sends the queries that are due, as many as there is room for; answers arrive later, and each
   * wakes a round that asks again. Nodes no longer queried are forgotten.
   */
  ask(queries: readonly PowerQuery[]): void {
    this.wanted = new Set(queries.map((query) => query.node));
    for (const node of [...this.readings.keys(), ...this.askedAt.keys()]) {
      if (this.wanted.has(node)) continue;
      this.readings.delete(node);
      this.askedAt.delete(node);
    }
    const now = this.deps.now();
    const room = (this.deps.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT) - this.asking.size;
    for (const query of this.due(queries, now).slice(0, Math.max(0, room))) {
      this.askedAt.set(query.node, now);
      this.asking.add(query.node);
      void this.query(query).finally(() => this.asking.delete(query.node));
    }
  }

  /** The queries not in flight and past their interval, never-asked nodes first, then the longest-unasked. */
  private due(queries: readonly PowerQuery[], now: number): PowerQuery[] {
    const lastAsked = (query: PowerQuery): number => this.askedAt.get(query.node) ?? Number.NEGATIVE_INFINITY;
    return queries
      .filter((query) => !this.asking.has(query.node) && now - lastAsked(query) >= query.interval * 1000)
      .sort((a, b) => (lastAsked(a) < lastAsked(b) ? -1 : Number(lastAsked(a) > lastAsked(b))));
  }

  private async query(query: PowerQuery): Promise<void> {
    const reading = await this.read(query);
    // A node whose Lease came back while its BMC was asked is no longer of interest.
    if (!this.wanted.has(query.node)) return;
    this.readings.set(query.node, reading);
    this.deps.log.info({ node: query.node, power: reading.state, detail: reading.detail }, "BMC power state");
    this.deps.onReading();
  }

  private async read(query: PowerQuery): Promise<PowerReadingDoc> {
    try {
      const credentials = await this.deps.credentials();
      const authorization =
        credentials && `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
      const response = await fetch(query.url, {
        headers: { accept: "application/json", ...(authorization && { authorization }) },
        dispatcher: query.insecureSkipTLSVerify ? TRUSTING : VERIFYING,
        signal: AbortSignal.timeout(query.timeout * 1000),
      });
      if (!response.ok) return this.reading("Unknown", `Redfish answered HTTP ${response.status}`);
      const state = stateOf(await response.json());
      return this.reading(state, state === "Unknown" ? "Redfish answer without a PowerState" : "Redfish");
    } catch (error) {
      return this.reading("Unknown", `Redfish: ${(error as Error).message}`);
    }
  }

  private reading(state: PowerReadingDoc["state"], detail: string): PowerReadingDoc {
    return { state, observedAt: new Date(this.deps.now()).toISOString(), detail };
  }
}

/** The Secret holding the BMC credentials, in the controller's own namespace (deploy/rbac.yaml grants get on it alone). */
export const BMC_CREDENTIALS_SECRET = "kubedrs-bmc-credentials";

const CREDENTIALS_KEEP_MS = 60_000;

function decoded(data: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = data?.[key];
  return typeof value === "string" ? Buffer.from(value, "base64").toString("utf8") : undefined;
}

/**
 * Reads `username` and `password` from the BMC Secret, kept a minute so a burst of queries reads it
 * once. No Secret (404) means no credentials; any other failure is thrown, and the query reads Unknown.
 */
export function secretCredentials(api: ApiClient, namespace: string): () => Promise<BasicCredentials | undefined> {
  let kept: { at: number; value: BasicCredentials | undefined } | undefined;
  return async () => {
    if (kept && performance.now() - kept.at < CREDENTIALS_KEEP_MS) return kept.value;
    const secret = await api
      .get(`/api/v1/namespaces/${namespace}/secrets/${BMC_CREDENTIALS_SECRET}`)
      .catch((error: unknown) => {
        if (error instanceof KubeApiError && error.status === 404) return undefined;
        throw error;
      });
    const data = (secret as { data?: Record<string, unknown> } | undefined)?.data;
    const username = decoded(data, "username");
    const password = decoded(data, "password");
    const value = username === undefined || password === undefined ? undefined : { username, password };
    kept = { at: performance.now(), value };
    return value;
  };
}
