#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=20 --expose-gc
// The young generation is capped at 16 MiB: planning makes many short-lived objects, and V8's
// larger default lets their garbage pile up (peak RSS at 1,000 nodes: 546 MB → 416 MB, same speed).
// The old generation may grow 20% past what the last full collection kept before the next one, where
// V8 lets a busy heap grow up to 4×: between passes at 1,000 nodes / 30,000 VMIs that holds RSS near
// 370–405 MiB instead of 410–445 MiB, for no more CPU (`npm run bench -- controller`).
// gc is exposed so the controller can hand freed pages back after a pass (src/controller/observability/heap-release.ts).
// kubedrs runs its TypeScript directly on Node.js 24 (type stripping); older Node cannot.
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  process.stderr.write(
    `kubedrs needs Node.js 24 or later (this is ${process.version}); run it through npm (npx kubedrs) to use the pinned one.\n`,
  );
  process.exit(1);
}
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
