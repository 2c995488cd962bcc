/**
 * The directory source against real files in a scratch directory: a first load, edits, broken
 * files (the keeper keeps the last good set), bursts, a git-sync style symlink swap, a directory
 * that appears later, and a swap only the periodic recheck can see.
 */
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PolicyDirectorySource, type PolicyDirectorySourceOptions } from "./directory-source.ts";
import { PolicyKeeper, type PolicyVerdict } from "./policy-keeper.ts";
import type { PolicyLoad } from "./policy-load.ts";

function balance(name: string, aggressiveness = 3): string {
  return `apiVersion: kubedrs.io/v1alpha1
kind: BalancePolicy
metadata:
  name: ${name}
spec:
  aggressiveness: ${aggressiveness}
`;
}

function names(load: PolicyLoad | undefined): string[] {
  return (load?.set.balance ?? []).map((policy) => `${policy.metadata.name}=${policy.spec.aggressiveness}`);
}

/** A source on a directory, the loads it delivered, and a way to wait for the next one. */
class Harness {
  readonly loads: PolicyLoad[] = [];
  /** The keeper's verdict on each load, in the same order. */
  readonly verdicts: PolicyVerdict[] = [];
  readonly keeper = new PolicyKeeper();
  readonly source: PolicyDirectorySource;

  constructor(directory: string, options: Partial<PolicyDirectorySourceOptions> = {}) {
    this.source = new PolicyDirectorySource({
      directory,
      debounceMs: 50,
      recheckMs: 0,
      ...options,
      onLoad: (load) => {
        this.loads.push(load);
        this.verdicts.push(this.keeper.offer(load));
      },
    });
  }

  /** Resolves with the first load after the `after`-th that satisfies `check`. */
  async next(after: number, check: (load: PolicyLoad) => boolean = () => true, timeoutMs = 5_000): Promise<PolicyLoad> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.loads.slice(after).find(check);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such load within ${timeoutMs} ms; loads: ${this.describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  describe(): string {
    return JSON.stringify(this.loads.map((load) => ({ policies: names(load), errors: load.errors.length })));
  }

  inForce(): string[] {
    return (this.keeper.current()?.balance ?? []).map((p) => `${p.metadata.name}=${p.spec.aggressiveness}`);
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let root: string;
let harness: Harness | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "kubedrs-policies-"));
});

afterEach(async () => {
  harness?.source.stop();
  harness = undefined;
  await rm(root, { recursive: true, force: true });
});

async function started(directory: string, options: Partial<PolicyDirectorySourceOptions> = {}): Promise<Harness> {
  harness = new Harness(directory, options);
  await harness.source.start();
  return harness;
}

describe("PolicyDirectorySource", () => {
  it("loads once on start, hands that load to onLoad and names files relative to the directory", async () => {
    await mkdir(join(root, "pools"));
    await writeFile(join(root, "pools", "general.yaml"), balance("general"));
    harness = new Harness(root);
    const first = await harness.source.start();
    expect(harness.loads).toEqual([first]);
    expect(first).toMatchObject({ errors: [], origin: `directory ${root}` });
    expect(first.set.balance[0]?.source).toEqual({ file: join("pools", "general.yaml"), line: 1 });
  });

  it.each([
    {
      name: "an edit is reloaded",
      change: (dir: string) => writeFile(join(dir, "general.yaml"), balance("general", 5)),
      errors: [],
      inForce: ["general=5"],
    },
    {
      name: "a new file in a new subdirectory is reloaded",
      change: async (dir: string) => {
        await mkdir(join(dir, "gpu"));
        await writeFile(join(dir, "gpu", "gpu.yaml"), balance("gpu", 1));
      },
      errors: [],
      inForce: ["general=3", "gpu=1"],
    },
    {
      name: "a removed file is reloaded",
      change: (dir: string) => rm(join(dir, "general.yaml")),
      errors: [],
      inForce: [],
    },
    {
      name: "broken YAML is an error and the last good set stays",
      change: (dir: string) => writeFile(join(dir, "general.yaml"), `${balance("general", 5)}  x: [\n`),
      errors: [/^general\.yaml:\d+:\d+: <document>: Invalid: YAML syntax/],
      inForce: ["general=3"],
    },
    {
      name: "a wrong field is an error with its path and the last good set stays",
      change: (dir: string) =>
        writeFile(join(dir, "extra.yaml"), balance("other").replace("aggressiveness", "agressiveness")),
      errors: [/^extra\.yaml:6:\d+: spec\.agressiveness: Forbidden/],
      inForce: ["general=3"],
    },
  ])("$name", async ({ change, errors, inForce }) => {
    await writeFile(join(root, "general.yaml"), balance("general"));
    const h = await started(root);
    await change(root);
    await h.next(1);
    const verdict = h.verdicts[1];
    expect(verdict?.accepted).toBe(errors.length === 0);
    expect(verdict?.errors).toHaveLength(errors.length);
    errors.forEach((pattern, index) => expect(verdict?.errors[index]).toMatch(pattern));
    expect(h.inForce()).toEqual(inForce);
  });

  it("makes one reload of a burst of writes", async () => {
    const h = await started(root, { debounceMs: 150 });
    for (let index = 0; index < 10; index += 1) await writeFile(join(root, `p${index}.yaml`), balance(`p${index}`));
    await h.next(1, (load) => load.set.balance.length === 10);
    await pause(300);
    expect(h.loads).toHaveLength(2);
  });

  it("ignores changes inside .git", async () => {
    await mkdir(join(root, ".git"));
    const h = await started(root);
    await writeFile(join(root, ".git", "index"), "x");
    await pause(200);
    expect(h.loads).toHaveLength(1);
  });

  it("follows a git-sync symlink swap and watches the new target", async () => {
    await mkdir(join(root, "rev-1"));
    await mkdir(join(root, "rev-2"));
    await writeFile(join(root, "rev-1", "general.yaml"), balance("general", 1));
    await writeFile(join(root, "rev-2", "general.yaml"), balance("general", 2));
    await symlink("rev-1", join(root, "current"));
    const h = await started(join(root, "current"));
    expect(h.inForce()).toEqual(["general=1"]);
    await symlink("rev-2", join(root, "next"));
    await rename(join(root, "next"), join(root, "current"));
    await h.next(1, (load) => names(load).includes("general=2"));
    // The old target is gone and the new one is watched: an edit there is reloaded.
    await rm(join(root, "rev-1"), { recursive: true });
    await pause(200);
    const count = h.loads.length;
    await writeFile(join(root, "rev-2", "general.yaml"), balance("general", 4));
    await h.next(count, (load) => names(load).includes("general=4"));
    expect(h.inForce()).toEqual(["general=4"]);
  });

  it("reports a missing directory, then loads it when it appears", async () => {
    const directory = join(root, "policies");
    const h = await started(directory);
    expect(h.loads[0]?.errors).toEqual([expect.objectContaining({ file: directory, path: [] })]);
    expect(h.verdicts[0]?.errors).toEqual([expect.stringMatching(/cannot read: ENOENT.*policies/)]);
    expect(h.keeper.current()).toBeUndefined();
    await mkdir(directory);
    await writeFile(join(directory, "general.yaml"), balance("general"));
    await h.next(1, (load) => load.errors.length === 0 && load.set.balance.length === 1);
    expect(h.inForce()).toEqual(["general=3"]);
  });

  it("reports a path that is a file, not a directory, naming it", async () => {
    const file = join(root, "policies.yaml");
    await writeFile(file, balance("general"));
    const h = await started(file);
    expect(h.verdicts[0]?.errors).toEqual([expect.stringMatching(/cannot read: ENOTDIR.*policies\.yaml/)]);
  });

  it("notices a swap further up the path only by the periodic recheck", async () => {
    // root/current -> rev-N, and the policies are in root/current/policies: no watcher sees `current` swapped.
    for (const rev of ["rev-1", "rev-2"]) {
      await mkdir(join(root, rev, "policies"), { recursive: true });
      await writeFile(join(root, rev, "policies", "general.yaml"), balance("general", rev === "rev-1" ? 1 : 2));
    }
    await symlink("rev-1", join(root, "current"));
    const h = await started(join(root, "current", "policies"), { recheckMs: 100 });
    await symlink("rev-2", join(root, "next"));
    await rename(join(root, "next"), join(root, "current"));
    await h.next(1, (load) => names(load).includes("general=2"));
    const count = h.loads.length;
    await writeFile(join(root, "rev-2", "policies", "general.yaml"), balance("general", 5));
    await h.next(count, (load) => names(load).includes("general=5"));
  });

  it("delivers nothing after stop", async () => {
    const h = await started(root, { recheckMs: 50 });
    h.source.stop();
    await writeFile(join(root, "general.yaml"), balance("general"));
    await pause(200);
    expect(h.loads).toHaveLength(1);
  });

  it("hands what onLoad throws to onError and keeps watching", async () => {
    const thrown: unknown[] = [];
    let calls = 0;
    const source = new PolicyDirectorySource({
      directory: root,
      debounceMs: 50,
      recheckMs: 0,
      onLoad: () => {
        calls += 1;
        if (calls === 2) throw new Error("consumer bug");
      },
      onError: (error) => thrown.push(error),
    });
    await source.start();
    try {
      await writeFile(join(root, "a.yaml"), balance("a"));
      await waitUntil(() => thrown.length === 1);
      await writeFile(join(root, "b.yaml"), balance("b"));
      await waitUntil(() => calls === 3);
      expect(thrown).toEqual([new Error("consumer bug")]);
    } finally {
      source.stop();
    }
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await pause(20);
  }
}
