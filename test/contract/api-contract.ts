/**
 * The Kubernetes API contract kubedrs relies on, written against @kubernetes/client-node and raw
 * HTTP so that it runs unchanged against the twin and against a real cluster (one with KubeVirt,
 * the medik8s NodeMaintenance operator and metrics-server installed): discovery, CRUD, optimistic
 * concurrency, Status errors, patches, status subresources, selectors, pagination, watches,
 * informers, graceful deletion, finalizers, dry runs and eviction.
 *
 * Every test creates its own objects, in the run's namespace or with run-unique names, and removes
 * them afterwards. A target may list the tests it is known to fail, with the bug that makes it
 * fail: those run as `it.fails` (see specs.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { describeCrud } from "./cases/crud.ts";
import { describeDiscovery } from "./cases/discovery.ts";
import { describeErrors } from "./cases/errors.ts";
import { describeLifecycle } from "./cases/lifecycle.ts";
import { describePatches } from "./cases/patches.ts";
import { describeSelectorsAndPages } from "./cases/selectors.ts";
import { describeStatusSubresource } from "./cases/status.ts";
import { describeWatches } from "./cases/watches.ts";
import { type ContractTarget, Harness } from "./harness.ts";
import { type ContractOptions, Specs } from "./specs.ts";

export type { ContractTarget } from "./harness.ts";
export type { ContractOptions, KnownFailures } from "./specs.ts";

export function describeApiContract(
  name: string,
  connect: () => Promise<ContractTarget>,
  options: ContractOptions = {},
): void {
  describe(name, () => {
    let harness: Harness | undefined;
    const h = (): Harness => {
      if (!harness) throw new Error("the contract target is not connected");
      return harness;
    };
    beforeAll(async () => {
      harness = await Harness.open(await connect());
    }, 60_000);
    afterEach(async () => {
      await harness?.removeTracked();
    });
    afterAll(async () => {
      await harness?.close();
    });

    const suite = { h, specs: new Specs(options) };
    describeDiscovery(suite);
    describeCrud(suite);
    describeErrors(suite);
    describePatches(suite);
    describeStatusSubresource(suite);
    describeSelectorsAndPages(suite);
    describeWatches(suite);
    describeLifecycle(suite);

    it("lists no known failure for a test that does not exist", () => {
      expect(suite.specs.unknownFailures()).toEqual([]);
    });
  });
}
