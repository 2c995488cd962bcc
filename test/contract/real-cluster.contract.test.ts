/**
 * The same API contract against a real cluster, to show the suite (and so the twin) holds to
 * Kubernetes' behaviour rather than to the twin's. It runs when KUBEDRS_CONTRACT_KUBECONFIG names a
 * kubeconfig for a disposable cluster with KubeVirt, the medik8s NodeMaintenance operator and
 * metrics-server installed; the suite creates (and removes) a namespace, fake Nodes, pods bound to
 * them, VirtualMachines that never start and MigrationPolicies that select nothing.
 *
 *   KUBEDRS_CONTRACT_KUBECONFIG=~/.kube/kind-kubevirt npx vitest run test/contract
 */
import { KubeConfig } from "@kubernetes/client-node";
import { describe } from "vitest";
import { describeApiContract } from "./api-contract.ts";

const kubeconfigFile = process.env.KUBEDRS_CONTRACT_KUBECONFIG;

describe.skipIf(!kubeconfigFile)("against a real cluster (KUBEDRS_CONTRACT_KUBECONFIG)", () => {
  describeApiContract("a real Kubernetes API server", () => {
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(kubeconfigFile ?? "");
    return Promise.resolve({ kubeconfig, cleanup: () => Promise.resolve() });
  });
});
