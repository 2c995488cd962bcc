/**
 * Reading deploy/ for the tests: its files parsed as YAML documents, and the base rendered once
 * by `kubectl kustomize` (kubectl's HOME a scratch directory, as in the kubectl end-to-end tests).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

export const ROOT = resolve(import.meta.dirname, "../..");
export const DEPLOY = join(ROOT, "deploy");
export const NAMESPACE = "kubedrs-system";

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [key: string]: unknown;
}

export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function parseManifests(text: string, source: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0]?.message}`);
      return document.toJS() as unknown;
    })
    .filter((value): value is Manifest => typeof value === "object" && value !== null);
}

/** The YAML documents of one file under deploy/. */
export function deployFile(file: string): Manifest[] {
  return parseManifests(readFileSync(join(DEPLOY, file), "utf8"), `deploy/${file}`);
}

/** Runs kubectl with a scratch HOME, so no user kubeconfig or cache is read; a non-zero exit is a result. */
export async function kubectl(args: readonly string[], env: Record<string, string> = {}): Promise<CommandRun> {
  const home = await mkdtemp(join(tmpdir(), "kubedrs-deploy-"));
  try {
    return await new Promise((done, fail) => {
      execFile(
        "kubectl",
        [...args],
        { cwd: ROOT, env: { ...process.env, HOME: home, KUBECONFIG: join(home, "none"), ...env }, timeout: 30_000 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== "number") fail(new Error(`kubectl ${args.join(" ")}: ${error.message}`));
          else done({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
        },
      );
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** `kubectl kustomize deploy/`. */
export function renderBase(): Promise<CommandRun> {
  return kubectl(["kustomize", "deploy/"]);
}

/** The rendered base's objects; throws (with kubectl's message) when it does not render. */
export async function renderedManifests(): Promise<Manifest[]> {
  const run = await renderBase();
  if (run.code !== 0) throw new Error(`kubectl kustomize deploy/ exited ${run.code}:\n${run.stderr}`);
  return parseManifests(run.stdout, "kubectl kustomize deploy/");
}

export function findManifest(manifests: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.find(
    (manifest) => manifest.kind === kind && (name === undefined || manifest.metadata.name === name),
  );
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ""} in the manifests`);
  return found;
}
