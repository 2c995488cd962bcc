/** Stored policy objects cut down to what a user wrote, and decoded with errors named "<Kind>/<name>". */
import { describe, expect, it } from "vitest";
import { formatFieldError } from "../../core/policy/field-error.ts";
import { decodePolicyObjects, policyDocumentOf } from "./policy-objects.ts";

const SPEC = { aggressiveness: 2 };

describe("policyDocumentOf", () => {
  it.each([
    {
      name: "drops what the server adds to metadata, and status",
      stored: {
        apiVersion: "kubedrs.io/v1alpha1",
        kind: "BalancePolicy",
        metadata: {
          name: "a",
          uid: "u-1",
          resourceVersion: "7",
          generation: 2,
          managedFields: [{}],
          finalizers: ["f"],
        },
        spec: SPEC,
        status: { observedGeneration: 2 },
      },
      document: { apiVersion: "kubedrs.io/v1alpha1", kind: "BalancePolicy", metadata: { name: "a" }, spec: SPEC },
    },
    {
      name: "keeps labels and annotations, but not kubectl's last-applied copy",
      stored: {
        apiVersion: "kubedrs.io/v1alpha1",
        kind: "BalancePolicy",
        metadata: {
          name: "a",
          labels: { team: "x" },
          annotations: { note: "y", "kubectl.kubernetes.io/last-applied-configuration": "{}" },
        },
        spec: SPEC,
      },
      document: {
        apiVersion: "kubedrs.io/v1alpha1",
        kind: "BalancePolicy",
        metadata: { name: "a", labels: { team: "x" }, annotations: { note: "y" } },
        spec: SPEC,
      },
    },
    {
      name: "drops annotations left empty without the last-applied copy",
      stored: {
        metadata: { name: "a", annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } },
        spec: SPEC,
      },
      document: { apiVersion: "kubedrs.io/v1alpha1", kind: "BalancePolicy", metadata: { name: "a" }, spec: SPEC },
    },
    {
      name: "keeps a stray top-level field, so decoding reports it",
      stored: {
        apiVersion: "kubedrs.io/v1alpha1",
        kind: "BalancePolicy",
        metadata: { name: "a" },
        spec: SPEC,
        extra: 1,
      },
      document: {
        apiVersion: "kubedrs.io/v1alpha1",
        kind: "BalancePolicy",
        metadata: { name: "a" },
        spec: SPEC,
        extra: 1,
      },
    },
  ])("$name", ({ stored, document }) => {
    expect(policyDocumentOf("BalancePolicy", stored)).toEqual(document);
  });
});

describe("decodePolicyObjects", () => {
  it("decodes every kind in name order, and names each error's object and field", () => {
    const load = decodePolicyObjects(
      [
        {
          kind: "BalancePolicy",
          objects: [
            { metadata: { name: "zeta", uid: "1" }, spec: SPEC },
            { metadata: { name: "alpha", uid: "2" }, spec: SPEC },
          ],
        },
        { kind: "FailoverPolicy", objects: [{ metadata: { name: "bad" }, spec: { nonsense: true }, extra: 1 }] },
      ],
      [],
      "CRDs",
    );
    expect(load.set.balance.map((policy) => policy.metadata.name)).toEqual(["alpha", "zeta"]);
    expect(load.errors.map((error) => formatFieldError(error).replace(/: [^:]*$/, ""))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^FailoverPolicy\/bad:\d+:\d+: extra: Forbidden$/),
        expect.stringMatching(/^FailoverPolicy\/bad:\d+:\d+: spec\.nonsense: Forbidden$/),
        expect.stringMatching(/^FailoverPolicy\/bad:\d+:\d+: spec\.fencing: Required$/),
      ]),
    );
    expect(load.errors).toHaveLength(3);
  });
});
