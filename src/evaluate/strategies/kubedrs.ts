/**
 * kubedrs itself in the replay: each pass builds the snapshot the controller would (replay-snapshot.ts)
 * and runs the planning core, `plan`, with the policies given (the repository's shipped policies/ by
 * default), exactly as a balance pass does. The moves go to the replay's migration runner.
 */
import { plan } from "../../core/balance/plan.ts";
import { EMPTY_ANTI_THRASH } from "../../core/balance/anti-thrash.ts";
import { createRng, passSeed } from "../../core/numeric/rng.ts";
import type { PolicySet } from "../../core/policy/policy-set.ts";
import { replayModel } from "../replay-snapshot.ts";
import type { ReplayMove, ReplayState, ReplayStrategy } from "../replay-types.ts";
import { indexMoves, passIntervalMs, usageSettingsOf } from "./moves.ts";

export interface KubedrsOptions {
  readonly policies: PolicySet;
  readonly seed: number;
}

export function kubedrsStrategy({ policies, seed }: KubedrsOptions): ReplayStrategy {
  const settings = usageSettingsOf(policies);
  let passes = 0;
  return {
    name: "kubedrs",
    intervalMs: passIntervalMs(policies),
    decide(state: ReplayState): readonly ReplayMove[] {
      const model = replayModel(state, settings);
      passes += 1;
      const rng = createRng(passSeed(seed, passes));
      // The migration history is in the snapshot (as VMIMs), so no carried state is needed.
      const result = plan({ model, policies, now: state.now, rng, antiThrash: EMPTY_ANTI_THRASH });
      return indexMoves(state, result.moves);
    },
  };
}
