/** The TwinScenario JSON Schema, for editors: derived from the zod schema the loader validates with. */
import { z } from "zod";
import { twinScenarioSchema } from "./schema.ts";

export const SCENARIO_SCHEMA_ID = "https://kubedrs.io/schema/v1alpha1/twin-scenario.schema.json";

export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    $id: SCENARIO_SCHEMA_ID,
    ...z.toJSONSchema(twinScenarioSchema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }),
  };
}
