/**
 * A fence agent run against a node's BMC, as fence-agents-remediation's executor drives it
 * (pkg/cli/cliexecuter.go): up to `retrycount` attempts `retryinterval` apart, each bounded by
 * `timeout`. With a BMC that answers, the agent powers the host off (and, for --action reboot,
 * on again) and succeeds; with a BMC that does not answer, every attempt fails, so the host is
 * never fenced. An attempt that outlasts the timeout ends the run (FenceAgentTimedOut).
 */
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { FenceAgentSettings } from "../options.ts";

export type FenceAction = "reboot" | "off";
export type FenceResult = "FenceAgentSucceeded" | "FenceAgentFailed" | "FenceAgentTimedOut";

export interface FenceRun {
  readonly node: string;
  readonly action: FenceAction;
  readonly attempts: number;
  readonly retryIntervalMs: number;
  readonly timeoutMs: number;
}

export interface FenceAgentDeps {
  readonly runtime: TwinRuntime;
  readonly settings: FenceAgentSettings;
  readonly after: (delayMs: number, run: () => void) => void;
}

export class FenceAgentExecution {
  private readonly deps: FenceAgentDeps;
  private readonly run: FenceRun;
  private readonly onDone: (result: FenceResult) => void;
  private cancelled = false;

  constructor(deps: FenceAgentDeps, run: FenceRun, onDone: (result: FenceResult) => void) {
    this.deps = deps;
    this.run = run;
    this.onDone = onDone;
  }

  start(): void {
    this.attempt(1);
  }

  cancel(): void {
    this.cancelled = true;
  }

  private later(delayMs: number, step: () => void): void {
    this.deps.after(delayMs, () => {
      if (!this.cancelled) step();
    });
  }

  private attempt(number: number): void {
    const { powerOffSeconds, powerOnSeconds, unreachableFailureSeconds } = this.deps.settings;
    if (!this.bmcAnswers()) {
      const failsAfter = unreachableFailureSeconds * 1000;
      if (failsAfter >= this.run.timeoutMs) {
        this.later(this.run.timeoutMs, () => this.finish("FenceAgentTimedOut"));
        return;
      }
      this.later(failsAfter, () => this.failed(number));
      return;
    }
    const offAfter = powerOffSeconds * 1000;
    const total = offAfter + (this.run.action === "reboot" ? powerOnSeconds * 1000 : 0);
    if (total > this.run.timeoutMs) {
      this.later(this.run.timeoutMs, () => this.finish("FenceAgentTimedOut"));
      return;
    }
    this.later(offAfter, () => this.powerOff(number, total - offAfter));
  }

  private bmcAnswers(): boolean {
    return this.deps.runtime.truth.host(this.run.node)?.bmcReachable === true;
  }

  private powerOff(number: number, untilOnMs: number): void {
    if (!this.bmcAnswers()) {
      this.failed(number);
      return;
    }
    this.deps.runtime.truth.setHost(this.run.node, { powered: false });
    if (this.run.action === "off") {
      this.finish("FenceAgentSucceeded");
      return;
    }
    this.later(untilOnMs, () => {
      this.deps.runtime.truth.setHost(this.run.node, { powered: true });
      this.finish("FenceAgentSucceeded");
    });
  }

  private failed(number: number): void {
    if (number >= this.run.attempts) this.finish("FenceAgentFailed");
    else this.later(this.run.retryIntervalMs, () => this.attempt(number + 1));
  }

  private finish(result: FenceResult): void {
    this.cancelled = true;
    this.onDone(result);
  }
}
