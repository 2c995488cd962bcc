/** FailoverPolicies for tests: the schema's defaults (IPMI power fencing) with any spec fields overridden. */
import type { z } from "zod";
import type { failoverPolicySpec } from "../../src/core/policy/kinds/failover-policy.ts";
import { policyDocumentSchemas } from "../../src/core/policy/document.ts";
import { EMPTY_POLICY_SET, type PolicySet } from "../../src/core/policy/policy-set.ts";

export type FailoverSpecInput = Partial<z.input<typeof failoverPolicySpec>>;

export function failoverPolicy(name: string, spec: FailoverSpecInput = {}): PolicySet["failover"][number] {
  return policyDocumentSchemas.FailoverPolicy.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "FailoverPolicy",
    metadata: { name },
    spec: { fencing: { strategies: [{ type: "FenceAgents", template: "ipmi" }] }, ...spec },
  });
}

export function policiesOf(...failover: PolicySet["failover"][number][]): PolicySet {
  return { ...EMPTY_POLICY_SET, failover };
}
