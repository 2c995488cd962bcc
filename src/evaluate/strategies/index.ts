/** Every strategy the replay compares, by name, and what each one's model leaves out. */
import { DESCHEDULER_LNU_SIMPLIFICATIONS, deschedulerLnu } from "../../baselines/descheduler-lnu.ts";
import { KDO_KUBEVIRT_SIMPLIFICATIONS, kdoKubevirt } from "../../baselines/kdo-kubevirt.ts";
import { PROXMOX_AUTO_SIMPLIFICATIONS, proxmoxAuto } from "../../baselines/proxmox-auto.ts";
import { createRng } from "../../core/numeric/rng.ts";
import type { PolicySet } from "../../core/policy/policy-set.ts";
import type { ReplayStrategy } from "../replay-types.ts";
import { DRS_GREEDY_SIMPLIFICATIONS, drsGreedyStrategy } from "./drs-greedy.ts";
import { kubedrsStrategy } from "./kubedrs.ts";
import { NONE } from "./none.ts";

export interface StrategyContext {
  /** kubedrs' policies; drs-greedy shares its model (domains, filters, cost model). */
  readonly policies: PolicySet;
  /** Seeds every random choice (kubedrs' tie-breaks, kube-scheduler's). */
  readonly seed: number;
}

const FACTORIES: Readonly<Record<string, (context: StrategyContext) => ReplayStrategy>> = {
  none: () => NONE,
  "descheduler-lnu": ({ seed }) => deschedulerLnu({ rng: createRng(seed) }),
  "kdo-kubevirt": ({ seed }) => kdoKubevirt({ rng: createRng(seed) }),
  "proxmox-auto": () => proxmoxAuto(),
  "drs-greedy": ({ policies }) => drsGreedyStrategy({ policies }),
  kubedrs: ({ policies, seed }) => kubedrsStrategy({ policies, seed }),
};

export const STRATEGY_NAMES: readonly string[] = Object.keys(FACTORIES);

export const STRATEGY_SIMPLIFICATIONS: Readonly<Record<string, readonly string[]>> = {
  "descheduler-lnu": DESCHEDULER_LNU_SIMPLIFICATIONS,
  "kdo-kubevirt": KDO_KUBEVIRT_SIMPLIFICATIONS,
  "proxmox-auto": PROXMOX_AUTO_SIMPLIFICATIONS,
  "drs-greedy": DRS_GREEDY_SIMPLIFICATIONS,
};

/** Throws naming the known strategies when `name` is not one. */
export function replayStrategy(name: string, context: StrategyContext): ReplayStrategy {
  const factory = FACTORIES[name];
  if (!factory) throw new Error(`unknown strategy ${JSON.stringify(name)}; known: ${STRATEGY_NAMES.join(", ")}`);
  return factory(context);
}
