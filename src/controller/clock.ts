/**
 * The controller's sense of time. On a real cluster it is the wall clock. On a twin that runs faster
 * than real time (the demo, the end-to-end tests) it is the twin's virtual clock, read over HTTP from
 * /twin/v1/clock and extrapolated between reads, so cron schedules, cooldowns and stall timeouts all
 * run at the twin's pace while the controller talks to it exactly as to a real cluster.
 */
import { HttpMethod } from "@kubernetes/client-node";
import type { ApiClient } from "../adapters/kube/client/api-client.ts";

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once `now()` reaches `time`, or early when `signal` aborts. */
  sleepUntil(time: number, signal?: AbortSignal): Promise<void>;
}

function wallSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil: (time, signal) => wallSleep(time - Date.now(), signal),
};

/** How often the twin's clock is read again; between reads it is extrapolated at the twin's speed. */
const TWIN_CLOCK_REFRESH_MS = 1_000;
/** While the twin is paused (speed 0), sleepers look again this often. */
const PAUSED_POLL_MS = 250;

interface TwinClockReading {
  readonly time: string;
  readonly speed: number;
}

export class TwinClock implements Clock {
  private readonly api: ApiClient;
  private virtualAt = 0;
  private wallAt = 0;
  private speed = 0;
  /** Never hand out a time earlier than one already handed out. */
  private latest = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(api: ApiClient) {
    this.api = api;
  }

  /** Reads the twin's clock once, then keeps it fresh until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch(() => undefined);
    }, TWIN_CLOCK_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    const reading = (await this.api.request(HttpMethod.GET, "/twin/v1/clock")) as TwinClockReading;
    this.virtualAt = Date.parse(reading.time);
    this.wallAt = Date.now();
    this.speed = reading.speed;
  }

  now(): number {
    const extrapolated = this.virtualAt + (Date.now() - this.wallAt) * this.speed;
    this.latest = Math.max(this.latest, Math.floor(extrapolated));
    return this.latest;
  }

  async sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted) {
      const remaining = time - this.now();
      if (remaining <= 0) return;
      const wall = this.speed > 0 ? remaining / this.speed : PAUSED_POLL_MS;
      await wallSleep(Math.min(wall, TWIN_CLOCK_REFRESH_MS), signal);
    }
  }
}
