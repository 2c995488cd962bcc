/**
 * How the contract suite declares its tests: `it` for each, or `it.fails` for those the target is
 * known to fail (hono's shared router suite takes a `skip` list the same way). A known failure is a
 * bug with a name: once it is fixed the test passes, `it.fails` reports that, and the entry goes.
 */
import { type TestContext, it } from "vitest";
import type { Harness } from "./harness.ts";

export interface KnownFailures {
  /** Why the target fails these tests: the bug, named precisely enough to find and fix. */
  readonly reason: string;
  readonly tests: readonly string[];
}

export interface ContractOptions {
  readonly knownFailures?: readonly KnownFailures[];
}

type Body = (context: TestContext) => Promise<void>;

export class Specs {
  private readonly known: ReadonlyMap<string, string>;
  private readonly seen = new Set<string>();

  constructor(options: ContractOptions) {
    this.known = new Map(options.knownFailures?.flatMap((group) => group.tests.map((test) => [test, group.reason])));
  }

  it(title: string, body: Body, timeoutMs?: number): void {
    if (this.seen.has(title)) throw new Error(`two contract tests are called "${title}"`);
    this.seen.add(title);
    (this.known.has(title) ? it.fails : it)(title, body, timeoutMs);
  }

  /** One test per row of a table, named by the row's title. */
  each<T extends { readonly title: string }>(
    rows: readonly T[],
    body: (row: T, context: TestContext) => Promise<void>,
  ): void {
    for (const row of rows) this.it(row.title, (context) => body(row, context));
  }

  /** Known failures that name no test: a typo, or a test renamed without its entry. */
  unknownFailures(): string[] {
    return [...this.known.keys()].filter((title) => !this.seen.has(title));
  }
}

/** What each part of the suite gets: the harness (once connected) and the way to declare tests. */
export interface Suite {
  readonly h: () => Harness;
  readonly specs: Specs;
}
