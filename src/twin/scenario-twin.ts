/**
 * A twin running a scenario: its control routes attached, the scenario applied, not yet listening or
 * paced. `kubedrs twin`, the demo and the end-to-end tests all start their twins here.
 */
import { TwinControl } from "./control/index.ts";
import { type AppliedScenario, type Scenario, applyScenario } from "./scenario/index.ts";
import { Twin } from "./twin.ts";

const DEFAULT_SEED = 1;

export interface ScenarioTwinOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** The speed /twin/v1/clock and status report (0 while time moves only when told to). */
  readonly speed: number;
  /** Record API requests (tests check them against the RBAC in deploy/). */
  readonly audit?: boolean;
}

export function createScenarioTwin(
  scenario: Scenario,
  options: ScenarioTwinOptions,
): { twin: Twin; control: TwinControl; applied: AppliedScenario } {
  const { spec } = scenario.document;
  const control = new TwinControl();
  const twin = Twin.create({
    seed: options.seed ?? spec.seed ?? DEFAULT_SEED,
    start: spec.start,
    routes: control.routes,
    ...(options.audit === true && { audit: {} }),
  });
  control.attach(twin.runtime, options.speed);
  const applied = applyScenario(twin, scenario);
  control.describe(applied);
  return { twin, control, applied };
}
