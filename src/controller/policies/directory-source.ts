/**
 * Policies from a directory (a Git checkout, often kept fresh by git-sync), reloaded on change.
 * A recursive watcher reports edits; a watcher on the parent notices the directory itself being
 * replaced (git-sync swaps a symlink to a new worktree) and re-arms on the new target; a cheap
 * periodic comparison of file sizes and mtimes catches whatever the watchers miss (a symlink swapped
 * further up, a watcher that died). Bursts of events become one reload. Every load, the first
 * included, goes to onLoad; nothing here throws from a watcher, a read error is a load with an error.
 */
import { type FSWatcher, realpathSync, watch } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { basename, dirname, join, sep } from "node:path";
import { loadPolicyDirectory } from "../../adapters/files/policy-directory.ts";
import { errorMessage, type PolicyLoad, unreadableLoad } from "./policy-load.ts";

export interface PolicyDirectorySourceOptions {
  readonly directory: string;
  readonly onLoad: (load: PolicyLoad) => void;
  /** Quiet time after the last change before reloading: editors and git write in bursts. */
  readonly debounceMs?: number;
  /** How often sizes and mtimes are compared anyway, for changes no watcher reported; 0 never. */
  readonly recheckMs?: number;
  /** Receives what onLoad throws; without it the error is rethrown, uncaught, as from an event listener. */
  readonly onError?: (error: unknown) => void;
}

const DEFAULT_DEBOUNCE_MS = 250;
const DEFAULT_RECHECK_MS = 30_000;

function insideGit(filename: string): boolean {
  return filename.split(sep).includes(".git");
}

function rethrow(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}

/** Where the directory really is and every file's size and mtime: equal fingerprints, nothing to reload. */
async function fingerprint(directory: string): Promise<string> {
  try {
    const entries = await readdir(directory, { withFileTypes: true, recursive: true });
    const files = entries
      .filter((entry) => entry.isFile() && !insideGit(join(entry.parentPath, entry.name)))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    const stats = await Promise.all(
      files.map(async (file) => {
        const { size, mtimeMs } = await stat(file);
        return `${file} ${size} ${mtimeMs}`;
      }),
    );
    return [await realpath(directory), ...stats].join("\n");
  } catch (error) {
    return `unreadable: ${errorMessage(error)}`;
  }
}

export class PolicyDirectorySource {
  private readonly options: PolicyDirectorySourceOptions;
  private readonly origin: string;
  private watcher: FSWatcher | undefined;
  private parentWatcher: FSWatcher | undefined;
  /** The directory's real path when the watcher was armed: another one means the directory was swapped. */
  private armedPath: string | undefined;
  private lastFingerprint = "";
  private debounce: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private reloading = false;
  private reloadAgain = false;
  private started = false;
  private stopped = false;

  constructor(options: PolicyDirectorySourceOptions) {
    this.options = options;
    this.origin = `directory ${options.directory}`;
  }

  /** Loads once, hands the load to onLoad and returns it, then watches for changes. */
  async start(): Promise<PolicyLoad> {
    if (this.started) throw new Error(`the policy source for ${this.options.directory} is already started`);
    this.started = true;
    this.watchParent();
    this.arm();
    const load = await this.runLoad();
    const every = this.options.recheckMs ?? DEFAULT_RECHECK_MS;
    if (every > 0 && !this.stopped) {
      this.recheckTimer = setInterval(() => {
        this.recheck().catch((error: unknown) => this.report(error));
      }, every);
      this.recheckTimer.unref();
    }
    return load;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.debounce);
    clearInterval(this.recheckTimer);
    this.closeWatcher();
    this.parentWatcher?.close();
    this.parentWatcher = undefined;
  }

  private report(error: unknown): void {
    (this.options.onError ?? rethrow)(error);
  }

  private async read(): Promise<PolicyLoad> {
    const { directory } = this.options;
    const seen = await fingerprint(directory);
    try {
      const { set, errors } = await loadPolicyDirectory(directory, directory);
      return { set, errors, origin: this.origin };
    } catch (error) {
      return unreadableLoad(this.origin, directory, error);
    } finally {
      this.lastFingerprint = seen;
    }
  }

  /** One load at a time: a change during a load asks for one more after it. */
  private runLoad(): Promise<PolicyLoad> {
    this.reloading = true;
    return this.read()
      .then((load) => {
        if (!this.stopped) this.options.onLoad(load);
        return load;
      })
      .finally(() => {
        this.reloading = false;
        if (!this.reloadAgain) return;
        this.reloadAgain = false;
        this.reload();
      });
  }

  private reload(): void {
    if (this.stopped) return;
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.runLoad().catch((error: unknown) => this.report(error));
  }

  private scheduleReload(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.reload(), this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Watches the directory (its current target, when it is a symlink); without it, rechecks and the parent watcher re-arm it later. */
  private arm(): void {
    this.closeWatcher();
    if (this.stopped) return;
    const { directory } = this.options;
    try {
      this.armedPath = realpathSync(directory);
      const watcher = watch(directory, { recursive: true }, (_event, filename) => {
        if (filename === null || !insideGit(filename)) this.scheduleReload();
      });
      watcher.on("error", () => {
        // The directory went away under the watcher: load to report it, re-arm when it is back.
        if (this.watcher === watcher) this.closeWatcher();
        this.scheduleReload();
      });
      this.watcher = watcher;
    } catch {
      this.armedPath = undefined;
    }
  }

  /** The parent's entry for the directory changes when the directory is created, removed or swapped. */
  private watchParent(): void {
    const { directory } = this.options;
    const parent = dirname(directory);
    if (parent === directory) return;
    const name = basename(directory);
    try {
      this.parentWatcher = watch(parent, (_event, filename) => {
        if (filename !== null && filename !== name) return;
        this.arm();
        this.scheduleReload();
      });
      this.parentWatcher.on("error", () => {
        this.parentWatcher?.close();
        this.parentWatcher = undefined;
      });
    } catch {
      // No parent to watch (yet): the periodic recheck still notices the directory appearing.
    }
  }

  private async recheck(): Promise<void> {
    if (this.stopped || this.reloading) return;
    if (this.parentWatcher === undefined) this.watchParent();
    const seen = await fingerprint(this.options.directory);
    if (this.stopped || seen === this.lastFingerprint) return;
    if (this.watcher === undefined || this.armedPath !== (await realpath(this.options.directory).catch(() => "")))
      this.arm();
    this.reload();
  }
}
