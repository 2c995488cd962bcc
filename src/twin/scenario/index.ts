/**
 * Twin scenarios: the TwinScenario format, its loader, the library of named scenarios, and
 * applying one to a twin (objects now, events on the virtual clock).
 */
export { type AppliedScenario, applyScenario } from "./apply.ts";
export { type BootResult, bootScenario } from "./boot.ts";
export { type EventContext, type EventOutcome, EventTargetError } from "./events/context.ts";
export { applyEvent } from "./events/apply-event.ts";
export {
  EVENT_TYPES,
  type ScenarioEvent,
  type TwinEvent,
  injectedEventSchema,
  scenarioEventSchema,
} from "./event-schema.ts";
export { scenarioJsonSchema } from "./json-schema.ts";
export { libraryScenarioNames, resolveScenarioReference, SCENARIO_LIBRARY } from "./library.ts";
export { type Scenario, type ScenarioLoad, decodeScenario, loadScenarioFile, loadScenarioText } from "./loader.ts";
export { type TwinScenario, type TwinScenarioInput, twinScenarioSchema } from "./schema.ts";
export { TRACES_ENV } from "./traces.ts";
