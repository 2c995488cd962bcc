/**
 * Cost growth (issue 7): plan time and peak memory at 100, 1,000 and 5,000 nodes (30 VMs a node), and
 * the growth factor between successive sizes: how much more each costs per tenfold or fivefold more
 * nodes. The measurements are the planning benchmark's (bench/plan.ts), each size in its own process.
 *
 *   npm run bench -- scale [--sizes 100,1000,5000]
 */
import { option, round } from "./args.ts";
import { run as runPlan } from "./plan.ts";

interface PassFigures {
  readonly nodes: number;
  readonly vms: number;
  readonly modelMs: number;
  readonly passMs: { readonly median: number };
  readonly peakRssMb: number;
}

interface Growth {
  readonly from: number;
  readonly to: number;
  readonly nodesFactor: number;
  readonly planTimeFactor: number;
  readonly memoryFactor: number;
  /** The exponent k in time ∝ nodes^k between the two sizes: 1 is linear. */
  readonly planTimeExponent: number;
}

function growth(smaller: PassFigures, larger: PassFigures): Growth {
  const nodesFactor = larger.nodes / smaller.nodes;
  const planTimeFactor = larger.passMs.median / smaller.passMs.median;
  return {
    from: smaller.nodes,
    to: larger.nodes,
    nodesFactor: round(nodesFactor, 2),
    planTimeFactor: round(planTimeFactor, 2),
    memoryFactor: round(larger.peakRssMb / smaller.peakRssMb, 2),
    planTimeExponent: round(Math.log(planTimeFactor) / Math.log(nodesFactor), 2),
  };
}

export async function run(args: string[]): Promise<unknown> {
  const sizes = option(args, "--sizes") ?? "100,1000,5000";
  const planned = (await runPlan(["--sizes", sizes, "--quality-sizes", ""])) as {
    results: { pass: PassFigures }[];
  };
  const passes = planned.results.map((result) => result.pass);
  return {
    benchmark: "scale",
    node: process.version,
    sizes: passes.map((pass) => ({
      nodes: pass.nodes,
      vms: pass.vms,
      planMedianMs: round(pass.passMs.median),
      modelMs: round(pass.modelMs),
      peakRssMb: pass.peakRssMb,
    })),
    growth: passes.slice(1).map((pass, index) => growth(passes[index] as PassFigures, pass)),
  };
}
