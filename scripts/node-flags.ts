/**
 * The Node.js/V8 flags kubedrs runs with, read from bin/kubedrs.js's shebang: the one place they are
 * written. The Dockerfile and the npm scripts repeat them (test/deploy/dockerfile.test.ts keeps them
 * equal); the benchmarks and the end-to-end tests start `kubedrs run` with these.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const LAUNCHER = resolve(import.meta.dirname, "../bin/kubedrs.js");
const SHEBANG = "#!/usr/bin/env -S node";

export function kubedrsNodeFlags(): string[] {
  const first = readFileSync(LAUNCHER, "utf8").split("\n")[0] ?? "";
  if (!first.startsWith(SHEBANG)) throw new Error(`${LAUNCHER}: the first line is not "${SHEBANG} …"`);
  return first.slice(SHEBANG.length).trim().split(/\s+/).filter(Boolean);
}
