/**
 * The twin's clock. Everything in the twin (heartbeats, migrations, load curves, scenario events)
 * runs on virtual time, which advances `speed` times faster than wall time, or as fast as the
 * events allow (`runUntil`, for tests and replays). Timers fire in (time, order of scheduling)
 * order, so a run is a pure function of the scenario and the seed.
 */
import { isoSeconds } from "../../synth/clock.ts";

export interface TimerHandle {
  readonly id: number;
  /** Set by `cancel` on a repeating timer, so its next tick does not run. */
  stopped?: boolean;
}

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** A binary min-heap on (at, seq). */
class TimerQueue {
  private readonly heap: Timer[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): Timer | undefined {
    return this.heap[0];
  }

  push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(timer, heap[parent] as Timer)) break;
      heap[index] = heap[parent] as Timer;
      index = parent;
    }
    heap[index] = timer;
  }

  pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (!top || !last || heap.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Timer, heap[left] as Timer) ? right : left;
      if (!before(heap[child] as Timer, last)) break;
      heap[index] = heap[child] as Timer;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class VirtualClock {
  private current: number;
  private seq = 0;
  private readonly queue = new TimerQueue();
  private readonly cancelled = new Set<number>();
  private isoSecond = Number.NaN;
  private iso = "";

  /** `start` is the virtual epoch in milliseconds (the scenario's start time). */
  constructor(start: number) {
    this.current = start;
  }

  /** Virtual milliseconds since the Unix epoch. */
  now(): number {
    return this.current;
  }

  /**
   * The time as Kubernetes writes it (RFC 3339, whole seconds). Many writes share an instant, so
   * the string is kept: one copy in every object stamped then, not one each.
   */
  nowIso(): string {
    const second = Math.floor(this.current / 1000);
    if (second !== this.isoSecond) {
      this.isoSecond = second;
      this.iso = isoSeconds(this.current);
    }
    return this.iso;
  }

  /** Runs `run` at virtual time `at` (never before now). */
  at(at: number, run: () => void): TimerHandle {
    this.seq += 1;
    const timer = { id: this.seq, at: Math.max(at, this.current), seq: this.seq, run };
    this.queue.push(timer);
    return { id: timer.id };
  }

  after(delayMs: number, run: () => void): TimerHandle {
    return this.at(this.current + delayMs, run);
  }

  /** Runs `run` every `periodMs`, first after `firstDelayMs` (default one period), until cancelled. */
  every(periodMs: number, run: () => void, firstDelayMs = periodMs): TimerHandle {
    const handle: TimerHandle = { id: -1, stopped: false };
    const tick = (): void => {
      if (handle.stopped) return;
      run();
      this.after(periodMs, tick);
    };
    this.after(firstDelayMs, tick);
    return handle;
  }

  cancel(handle: TimerHandle | undefined): void {
    if (!handle) return;
    if (handle.stopped === false) handle.stopped = true;
    else this.cancelled.add(handle.id);
  }

  /** Runs every timer due up to `until`, in order, then sets the time to `until`. */
  runUntil(until: number): number {
    let fired = 0;
    for (let next = this.queue.peek(); next && next.at <= until; next = this.queue.peek()) {
      this.queue.pop();
      this.current = Math.max(this.current, next.at);
      if (this.cancelled.delete(next.id)) continue;
      next.run();
      fired += 1;
    }
    this.current = Math.max(this.current, until);
    return fired;
  }

  /** Runs whatever is due now (timers scheduled for the current instant). */
  settle(): number {
    return this.runUntil(this.current);
  }

  nextTimerAt(): number | undefined {
    return this.queue.peek()?.at;
  }

  pending(): number {
    return this.queue.size;
  }
}
