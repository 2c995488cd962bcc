/** Plugins keyed by name; registering a name twice is a programming error and throws. */
import type { FilterPlugin, ScorePlugin, VmCheck } from "./framework.ts";

export class PluginRegistry {
  private readonly names = new Set<string>();
  readonly filters: FilterPlugin[] = [];
  readonly scores: ScorePlugin[] = [];
  readonly checks: VmCheck[] = [];

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`a plugin named ${name} is already registered`);
    this.names.add(name);
  }

  filter(plugin: FilterPlugin): this {
    this.claim(plugin.name);
    this.filters.push(plugin);
    return this;
  }

  score(plugin: ScorePlugin): this {
    this.claim(plugin.name);
    this.scores.push(plugin);
    return this;
  }

  check(plugin: VmCheck): this {
    this.claim(plugin.name);
    this.checks.push(plugin);
    return this;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }
}
