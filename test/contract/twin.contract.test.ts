/**
 * The API contract against a fresh twin on a random port, its clock running at wall speed as a
 * real cluster's would. The twin can compact its watch history, so the 410 Gone case runs too.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { Twin } from "../../src/twin/twin.ts";
import { type ContractTarget, type KnownFailures, describeApiContract } from "./api-contract.ts";

async function connectTwin(): Promise<ContractTarget> {
  const twin = Twin.create({ seed: 7, start: Date.now() });
  await twin.listen(0);
  void twin.start(1);
  // As is: the suite is also the test that @kubernetes/client-node takes the twin's kubeconfig unchanged.
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromString(twin.kubeconfig());
  return {
    kubeconfig,
    compact: () => twin.runtime.store.compact(),
    cleanup: () => twin.stop(),
  };
}

/** Where the twin is known to part from a real API server; each reason names the bug to fix. */
const TWIN_KNOWN_FAILURES: readonly KnownFailures[] = [];

describeApiContract("the twin's Kubernetes API", connectTwin, { knownFailures: TWIN_KNOWN_FAILURES });
