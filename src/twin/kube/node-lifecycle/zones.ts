/**
 * The node lifecycle controller's per-zone eviction throttling (pkg/controller/nodelifecycle):
 * nodes are grouped by region and zone; NoExecute taints are added through one rate-limited
 * queue per zone (--node-eviction-rate 0.1/s, burst 1); a zone where most nodes are not ready
 * is "partially disrupted" and slows down or stops, and when every zone is fully disrupted the
 * controller assumes the control plane is the one cut off and stops tainting at all.
 */
import type { Labels } from "../../../core/model/selectors.ts";
import type { NodeLifecycleSettings } from "../options.ts";

export type ZoneState = "Normal" | "PartialDisruption" | "FullDisruption";

/** utilnode.GetZoneKey: region and zone; nodes without them share the empty zone. */
export function zoneKeyOf(labels: Labels): string {
  const region = labels["topology.kubernetes.io/region"] ?? labels["failure-domain.beta.kubernetes.io/region"] ?? "";
  const zone = labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? "";
  return `${region}:\u0000:${zone}`;
}

/** ComputeZoneState: full when no node is ready, partial when more than 2 and at least the threshold are not. */
export function computeZoneState(readyNodes: number, notReadyNodes: number, threshold: number): ZoneState {
  if (readyNodes === 0 && notReadyNodes > 0) return "FullDisruption";
  if (notReadyNodes > 2 && notReadyNodes / (notReadyNodes + readyNodes) >= threshold) return "PartialDisruption";
  return "Normal";
}

/** The tainting rate for a zone in a state (setLimiterInZone with ReducedQPSFunc and HealthyQPSFunc). */
export function zoneQps(state: ZoneState, zoneSize: number, settings: NodeLifecycleSettings): number {
  if (state !== "PartialDisruption") return settings.evictionQps;
  return zoneSize > settings.largeClusterSizeThreshold ? settings.secondaryEvictionQps : 0;
}

/** flowcontrol's token bucket with burst 1; a new limiter starts full. QPS 0 never accepts. */
export class TokenBucket {
  readonly qps: number;
  private tokens = 1;
  private last: number;

  constructor(qps: number, now: number) {
    this.qps = qps;
    this.last = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(1, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  tryAccept(now: number): boolean {
    if (this.qps <= 0) return false;
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** When the next token will be there, or undefined if it never will. */
  nextTokenAt(now: number): number | undefined {
    if (this.qps <= 0) return undefined;
    this.refill(now);
    return now + Math.ceil(((1 - this.tokens) / this.qps) * 1000);
  }
}

/**
 * One zone's queue of nodes waiting for a NoExecute taint, in the order they were found
 * unhealthy. Like the controller's UniqueQueue, a node stays a member after it was handed out, so
 * it is not queued again (and spends no token) until remove() forgets it.
 */
export class ZoneTainter {
  private readonly queued: string[] = [];
  private readonly members = new Set<string>();
  limiter: TokenBucket;
  state: ZoneState | undefined;

  constructor(qps: number, now: number) {
    this.limiter = new TokenBucket(qps, now);
  }

  add(node: string): void {
    if (this.members.has(node)) return;
    this.members.add(node);
    this.queued.push(node);
  }

  remove(node: string): void {
    this.members.delete(node);
    const index = this.queued.indexOf(node);
    if (index >= 0) this.queued.splice(index, 1);
  }

  swapLimiter(qps: number, now: number): void {
    if (this.limiter.qps !== qps) this.limiter = new TokenBucket(qps, now);
  }

  /** Hands out queued nodes while the limiter lets them through. */
  take(now: number): string[] {
    const taken: string[] = [];
    while (this.queued.length > 0 && this.limiter.tryAccept(now)) taken.push(this.queued.shift() as string);
    return taken;
  }

  get pending(): number {
    return this.queued.length;
  }
}
