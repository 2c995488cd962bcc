/**
 * `npm run bench -- <name> [options]`: runs one benchmark and prints its result as JSON on stdout.
 * Speed is measured here, never in tests.
 */
const benchmarks: Record<string, () => Promise<{ run(args: string[]): Promise<unknown> }>> = {
  controller: () => import("./controller.ts"),
  evacuate: () => import("./evacuate.ts"),
  failover: () => import("./failover.ts"),
  plan: () => import("./plan.ts"),
  replay: () => import("./replay.ts"),
  scale: () => import("./scale.ts"),
  twin: () => import("./twin.ts"),
  "twin-check": () => import("./twin-check.ts"),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : benchmarks[name];
if (!load) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benchmarks).join("|")}> [options]\n`);
  process.exit(1);
}
const result = await (await load()).run(args);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
