/**
 * The keeper, offer by offer: a load with any error is rejected and the last good set stays; an
 * accepted load is a new generation only when a policy really changed.
 */
import { describe, expect, it } from "vitest";
import { loadPolicyTexts } from "../../adapters/files/policy-directory.ts";
import { PolicyKeeper, type PolicyVerdict } from "./policy-keeper.ts";
import type { PolicyLoad } from "./policy-load.ts";

const BALANCE = `apiVersion: kubedrs.io/v1alpha1
kind: BalancePolicy
metadata:
  name: general
spec:
  aggressiveness: 3
`;
const BALANCE_4 = BALANCE.replace("aggressiveness: 3", "aggressiveness: 4");
/** The same policy lower in its file, behind a comment. */
const BALANCE_MOVED = `# the general-purpose pools\n\n${BALANCE}`;
const RULE = `apiVersion: kubedrs.io/v1alpha1
kind: PlacementRule
metadata:
  name: db-apart
  labels: { team: db, tier: data }
spec:
  type: VmAntiAffinity
  enforcement: Required
  vms:
    selector:
      matchLabels: { app: db, tier: data }
  topologyKey: kubernetes.io/hostname
`;
/** The same rule with its maps written in another order. */
const RULE_REORDERED = RULE.replace("{ team: db, tier: data }", "{ tier: data, team: db }").replace(
  "{ app: db, tier: data }",
  "{ tier: data, app: db }",
);
const WRONG_FIELD = BALANCE.replace("aggressiveness: 3", "aggressivness: 3");
const BAD_YAML = `${BALANCE}  nodeSelector: [unclosed\n`;

function load(files: Record<string, string>, origin = "directory policies"): PolicyLoad {
  const { set, errors } = loadPolicyTexts(Object.entries(files).map(([file, text]) => ({ file, text })));
  return { set, errors, origin };
}

interface Expected {
  accepted: boolean;
  changed: boolean;
  generation: number;
  changes?: string[];
  errors?: RegExp[];
  summary: RegExp;
}

function expectVerdict(verdict: PolicyVerdict, expected: Expected): void {
  expect(verdict).toMatchObject({
    accepted: expected.accepted,
    changed: expected.changed,
    generation: expected.generation,
  });
  if (expected.changes)
    expect(verdict.changes.map(({ change, policy }) => `${change} ${policy}`)).toEqual(expected.changes);
  expect(verdict.errors).toHaveLength(expected.errors?.length ?? 0);
  expected.errors?.forEach((pattern, index) => expect(verdict.errors[index]).toMatch(pattern));
  expect(verdict.summary).toMatch(expected.summary);
  expect(verdict.summary).not.toContain("\n");
}

describe("PolicyKeeper", () => {
  it.each<{ name: string; offers: { files: Record<string, string>; expected: Expected }[]; inForce: string[] }>([
    {
      name: "the first good load is generation 1, every policy added",
      offers: [
        {
          files: { "balance.yaml": BALANCE, "rules.yaml": RULE },
          expected: {
            accepted: true,
            changed: true,
            generation: 1,
            changes: ["added BalancePolicy/general", "added PlacementRule/db-apart"],
            summary: /^accepted 2 policies from directory policies as generation 1$/,
          },
        },
      ],
      inForce: ["BalancePolicy/general", "PlacementRule/db-apart"],
    },
    {
      name: "an empty directory is a good load too: no policies, the defaults apply",
      offers: [
        { files: {}, expected: { accepted: true, changed: true, generation: 1, changes: [], summary: /0 policies/ } },
      ],
      inForce: [],
    },
    {
      name: "a bad first load leaves nothing in force",
      offers: [
        {
          files: { "balance.yaml": WRONG_FIELD },
          expected: {
            accepted: false,
            changed: false,
            generation: 0,
            errors: [/^balance\.yaml:6:\d+: spec\.aggressivness: Forbidden: /],
            summary: /^rejected the policies from directory policies: 1 error; no policies are in force yet$/,
          },
        },
      ],
      inForce: [],
    },
    {
      name: "a wrong field after a good load keeps the good set",
      offers: [
        {
          files: { "balance.yaml": BALANCE },
          expected: { accepted: true, changed: true, generation: 1, summary: /./ },
        },
        {
          files: { "balance.yaml": WRONG_FIELD, "rules.yaml": RULE },
          expected: {
            accepted: false,
            changed: false,
            generation: 1,
            errors: [/^balance\.yaml:6:\d+: spec\.aggressivness: Forbidden/],
            summary: /1 error; generation 1 \(1 policy\) stays in force$/,
          },
        },
      ],
      inForce: ["BalancePolicy/general"],
    },
    {
      name: "broken YAML in one file rejects the whole load, the good files with it",
      offers: [
        { files: { "rules.yaml": RULE }, expected: { accepted: true, changed: true, generation: 1, summary: /./ } },
        {
          files: { "balance.yaml": BAD_YAML, "rules.yaml": RULE_REORDERED.replace("Required", "Preferred") },
          expected: {
            accepted: false,
            changed: false,
            generation: 1,
            errors: [/^balance\.yaml:\d+:\d+: <document>: Invalid: YAML syntax: /],
            summary: /^rejected .*generation 1 \(1 policy\) stays in force$/,
          },
        },
      ],
      inForce: ["PlacementRule/db-apart"],
    },
    {
      name: "the same policies again change nothing",
      offers: [
        {
          files: { "balance.yaml": BALANCE },
          expected: { accepted: true, changed: true, generation: 1, summary: /./ },
        },
        {
          files: { "balance.yaml": BALANCE },
          expected: {
            accepted: true,
            changed: false,
            generation: 1,
            changes: [],
            summary: /^the policies from directory policies are unchanged; generation 1 \(1 policy\) stays in force$/,
          },
        },
      ],
      inForce: ["BalancePolicy/general"],
    },
    {
      name: "a comment, a move to another file or another key order changes nothing",
      offers: [
        {
          files: { "balance.yaml": BALANCE, "rules.yaml": RULE },
          expected: { accepted: true, changed: true, generation: 1, summary: /./ },
        },
        {
          files: { "all.yaml": `${BALANCE_MOVED}---\n${RULE_REORDERED}` },
          expected: { accepted: true, changed: false, generation: 1, changes: [], summary: /unchanged/ },
        },
      ],
      inForce: ["BalancePolicy/general", "PlacementRule/db-apart"],
    },
    {
      name: "a changed, an added and a removed policy make one new generation naming each",
      offers: [
        {
          files: { "balance.yaml": BALANCE },
          expected: { accepted: true, changed: true, generation: 1, summary: /./ },
        },
        {
          files: { "balance.yaml": BALANCE_4, "rules.yaml": RULE },
          expected: {
            accepted: true,
            changed: true,
            generation: 2,
            changes: ["changed BalancePolicy/general", "added PlacementRule/db-apart"],
            summary: /as generation 2: changed BalancePolicy\/general, added PlacementRule\/db-apart$/,
          },
        },
        {
          files: { "balance.yaml": BALANCE_4 },
          expected: {
            accepted: true,
            changed: true,
            generation: 3,
            changes: ["removed PlacementRule/db-apart"],
            summary: /generation 3: removed PlacementRule\/db-apart$/,
          },
        },
      ],
      inForce: ["BalancePolicy/general"],
    },
    {
      name: "a rejected load in between does not count as a change",
      offers: [
        {
          files: { "balance.yaml": BALANCE },
          expected: { accepted: true, changed: true, generation: 1, summary: /./ },
        },
        {
          files: { "balance.yaml": WRONG_FIELD },
          expected: { accepted: false, changed: false, generation: 1, errors: [/Forbidden/], summary: /rejected/ },
        },
        {
          files: { "balance.yaml": BALANCE },
          expected: { accepted: true, changed: false, generation: 1, changes: [], summary: /unchanged/ },
        },
      ],
      inForce: ["BalancePolicy/general"],
    },
  ])("$name", ({ offers, inForce }) => {
    const keeper = new PolicyKeeper();
    for (const offer of offers) {
      const verdict = keeper.offer(load(offer.files));
      expectVerdict(verdict, offer.expected);
      expect(keeper.generation).toBe(offer.expected.generation);
    }
    const set = keeper.current();
    if (offers.every((offer) => !offer.expected.accepted)) {
      expect(set).toBeUndefined();
      return;
    }
    const names = [...(set?.balance ?? []), ...(set?.placementRules ?? [])].map(
      (policy) => `${policy.kind}/${policy.metadata.name}`,
    );
    expect(names).toEqual(inForce);
  });

  it("names a long list of changes only up to five, then counts the rest", () => {
    const keeper = new PolicyKeeper();
    keeper.offer(load({}));
    const many = Array.from({ length: 8 }, (_, index) => RULE.replace("db-apart", `rule-${index}`)).join("---\n");
    const verdict = keeper.offer(load({ "rules.yaml": many }));
    expect(verdict.changes).toHaveLength(8);
    expect(verdict.summary).toMatch(/added PlacementRule\/rule-4 and 3 more$/);
  });

  it("keeps the new set when only where a policy sits changed, so sources stay true", () => {
    const keeper = new PolicyKeeper();
    keeper.offer(load({ "balance.yaml": BALANCE }));
    keeper.offer(load({ "balance.yaml": BALANCE_MOVED }, "directory moved"));
    expect(keeper.current()?.balance[0]?.source).toEqual({ file: "balance.yaml", line: 3 });
    expect(keeper.origin).toBe("directory moved");
  });
});
