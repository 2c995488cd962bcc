/**
 * Paces a twin's virtual clock against the wall clock (`Twin.start`): virtual time is the
 * start plus the wall time since, times the speed, and never passes the end. Anchoring to the
 * start (rather than adding up tick lengths) keeps the pace exact when ticks run late, and the cap
 * makes a run stop at the scenario's end to the millisecond. The shell owns the real timer; the
 * twin only ever sees its VirtualClock.
 */
import type { VirtualClock } from "./virtual-clock.ts";

const TICK_MS = 20;

export class Pacer {
  private readonly clock: VirtualClock;
  private readonly speed: number;
  private readonly end: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private finish: (() => void) | undefined;

  /** `end` is virtual ms since the epoch; Infinity runs until `stop`. */
  constructor(clock: VirtualClock, speed: number, end: number) {
    this.clock = clock;
    this.speed = speed;
    this.end = end;
  }

  /** Resolves when virtual time reaches the end, or when stopped. */
  run(): Promise<void> {
    const virtualStart = this.clock.now();
    const wallStart = performance.now();
    return new Promise((resolve) => {
      this.finish = resolve;
      this.timer = setInterval(() => {
        const target = Math.min(this.end, virtualStart + (performance.now() - wallStart) * this.speed);
        this.clock.runUntil(target);
        if (target >= this.end) this.stop();
      }, TICK_MS);
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.finish?.();
    this.finish = undefined;
  }
}
