/** The control: no rebalancing at all; VMs stay where the scheduler first put them. */
import type { ReplayStrategy } from "../replay-types.ts";

export const NONE: ReplayStrategy = { name: "none", intervalMs: 86_400_000, decide: () => [] };
