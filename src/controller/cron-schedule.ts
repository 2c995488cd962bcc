/**
 * When the next balance pass is due, by a BalancePolicy's cron expression. node-cron parses the
 * expression and matches moments in the policy's time zone; the controller asks for the next match
 * after *its* clock's now and sleeps on that clock, so the same schedule runs on the wall clock and on
 * a twin that runs sixty times faster.
 */
import cron from "node-cron";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
/** A schedule that matches nothing within this long (say, 30 February) is reported as never. */
const HORIZON_MS = 366 * 24 * 60 * MINUTE;

/**
 * node-cron keeps every task it creates in a process-wide registry and never lets go of one that
 * was not started, so each distinct schedule is made once and shared: asking anew on every pass
 * would leak a task per pass.
 */
const schedules = new Map<string, CronSchedule>();

export function cronSchedule(expression: string, timeZone: string): CronSchedule {
  const key = `${timeZone} ${expression}`;
  let schedule = schedules.get(key);
  if (schedule === undefined) {
    schedule = new CronSchedule(expression, timeZone);
    schedules.set(key, schedule);
  }
  return schedule;
}

export class CronSchedule {
  readonly expression: string;
  private readonly task: ReturnType<typeof cron.createTask>;
  /** Five fields fire at second 0 of a minute; six name the second too. */
  private readonly step: number;

  /** Use cronSchedule(): a CronSchedule made directly registers a node-cron task of its own. */
  constructor(expression: string, timeZone: string) {
    this.expression = expression;
    this.task = cron.createTask(expression, () => undefined, { timezone: timeZone });
    this.step = expression.trim().split(/\s+/).length >= 6 ? SECOND : MINUTE;
  }

  /** The first matching moment strictly after `after` (ms since the epoch), or undefined within a year. */
  next(after: number): number | undefined {
    let candidate = Math.floor(after / this.step) * this.step + this.step;
    for (const limit = after + HORIZON_MS; candidate <= limit; candidate += this.step) {
      if (this.task.match(new Date(candidate))) return candidate;
    }
    return undefined;
  }
}
