/**
 * The Dockerfile, read as text (no docker here): Node 24, production dependencies from the lock
 * file, the sources and example policies copied from paths that exist and that .dockerignore
 * lets through, an unprivileged user matching the Deployment, and the controller's command.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubedrsNodeFlags } from "../../scripts/node-flags.ts";
import { ROOT, deployFile } from "./manifests.ts";

interface Instruction {
  readonly keyword: string;
  readonly argument: string;
}

function instructions(): Instruction[] {
  return readFileSync(join(ROOT, "Dockerfile"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), argument: rest.join(" ") };
    });
}

function all(keyword: string): string[] {
  return instructions()
    .filter((instruction) => instruction.keyword === keyword)
    .map((instruction) => instruction.argument);
}

function last(keyword: string): string {
  return all(keyword).at(-1) ?? "";
}

/** What .dockerignore lets into the build context: it excludes everything, then lists what goes in. */
function dockerignore(): string[] {
  return readFileSync(join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

function controllerPodSecurity(): { runAsUser?: number; runAsGroup?: number } {
  const [deployment] = deployFile("deployment.yaml");
  const spec = (deployment?.spec as { template: { spec: { securityContext: Record<string, number> } } }).template.spec;
  return spec.securityContext;
}

describe("the Dockerfile", () => {
  it("builds on Node 24 in two stages", () => {
    expect(all("ARG")).toContain("NODE_IMAGE=node:24-slim");
    expect(all("FROM")).toEqual(["${NODE_IMAGE} AS dependencies", "${NODE_IMAGE}"]);
  });

  it("installs only production dependencies, as the lock file pins them", () => {
    expect(all("RUN").some((command) => command.includes("npm ci --omit=dev"))).toBe(true);
    expect(all("COPY")).toContain("--from=dependencies /app/node_modules ./node_modules");
  });

  it.each(["package.json package-lock.json", "src", "policies"])(
    "copies %s, which exists and .dockerignore lets in",
    (source) => {
      expect(all("COPY").some((copy) => copy.startsWith(`${source} `))).toBe(true);
      for (const path of source.split(" ")) {
        expect(existsSync(join(ROOT, path)), path).toBe(true);
        expect(dockerignore()).toContain(`!${path}`);
      }
    },
  );

  it("keeps everything else out of the build context, tests included", () => {
    expect(dockerignore()[0]).toBe("*");
    expect(dockerignore()).toContain("**/*.test.ts");
  });

  it("runs as the user the Deployment runs as", () => {
    const security = controllerPodSecurity();
    expect(last("USER")).toBe(`${security.runAsUser}:${security.runAsGroup}`);
  });

  it("starts the controller from its TypeScript entry point, with the V8 flags bin/kubedrs.js uses", () => {
    const flags = kubedrsNodeFlags();
    expect(flags).toEqual(["--max-semi-space-size=16", "--heap-growing-percent=20", "--expose-gc"]);
    expect(JSON.parse(last("ENTRYPOINT"))).toEqual(["node", ...flags, "src/cli/main.ts"]);
    expect(existsSync(join(ROOT, "src/cli/main.ts"))).toBe(true);
    expect(JSON.parse(last("CMD"))).toEqual(["run", "--policies", "crd", "--leader-elect"]);
    expect(last("EXPOSE")).toBe("8080");
  });

  it.each(["start", "kubedrs"])("has `npm run %s` start kubedrs with the same V8 flags", (script) => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts[script]).toMatch(new RegExp(`^node ${kubedrsNodeFlags().join(" ")} src/cli/main\\.ts\\b`));
  });
});
