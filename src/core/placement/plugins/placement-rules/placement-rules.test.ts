import { describe, expect, it } from "vitest";
import { type VmInput, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import {
  type RuleInput,
  contextFor,
  expectVerdict,
  filterVerdict,
  labelled,
  normalizedScores,
  rawScores,
} from "../../../../../test/support/placement-context.ts";
import { placementRules, preferredRules } from "./index.ts";

const ZONE = "topology.kubernetes.io/zone";

/** n1, n2 in zone-a; n3, n4 in zone-b; n2 and n3 in the gold pool. */
const NODES = [
  buildNode("n1"),
  buildNode("n2", {}, labelled({ pool: "gold" })),
  buildNode("n3", {}, labelled({ [ZONE]: "zone-b", pool: "gold" })),
  buildNode("n4", {}, labelled({ [ZONE]: "zone-b" })),
];

function vmOf(name: string, app: string, node: string, namespace = "default"): VmInput {
  return buildVm(name, node, { cpu: "1", memory: "1Gi" }, (vm) => {
    vm.namespace = namespace;
    vm.labels = { app };
  });
}

function rule(name: string, spec: Omit<RuleInput, "name">): RuleInput {
  return { name, ...spec };
}

const webSpread = (enforcement: "Required" | "Preferred", topologyKey?: string): RuleInput =>
  rule("web-spread", {
    type: "VmAntiAffinity",
    enforcement,
    vms: { selector: { matchLabels: { app: "web" } } },
    ...(topologyKey ? { topologyKey } : {}),
  });

interface Case {
  name: string;
  rules: RuleInput[];
  /** The moving VM is default/vm unless `mover` names another. */
  vms: VmInput[];
  mover?: string;
  target: string;
  want: RegExp | undefined;
}

describe("PlacementRules", () => {
  it.each<Case>([
    {
      name: "Required VmAntiAffinity on hostname rejects a node holding another member",
      rules: [webSpread("Required")],
      vms: [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n2")],
      target: "n2",
      want: /^PlacementRules: rule web-spread \(Required VmAntiAffinity\): 1 other VM\(s\) of the group already in kubernetes\.io\/hostname=n2$/,
    },
    {
      name: "Required VmAntiAffinity on hostname allows a node without members",
      rules: [webSpread("Required")],
      vms: [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n2")],
      target: "n3",
      want: undefined,
    },
    {
      name: "Required VmAntiAffinity on zone rejects every node of an occupied zone",
      rules: [webSpread("Required", ZONE)],
      vms: [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n3"), vmOf("web-2", "web", "n3")],
      target: "n4",
      want: /^PlacementRules: rule web-spread \(Required VmAntiAffinity\): 2 other VM\(s\) of the group already in topology\.kubernetes\.io\/zone=zone-b$/,
    },
    {
      name: "a VM outside the rule's group is not bound by it",
      rules: [webSpread("Required")],
      vms: [vmOf("vm", "db", "n1"), vmOf("web-1", "web", "n2")],
      target: "n2",
      want: undefined,
    },
    {
      name: "Preferred rules never reject",
      rules: [webSpread("Preferred")],
      vms: [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n2")],
      target: "n2",
      want: undefined,
    },
    {
      name: "Required VmAffinity keeps the group in the domain its other members are in",
      rules: [
        rule("db-together", {
          type: "VmAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "db" } } },
          topologyKey: ZONE,
        }),
      ],
      vms: [vmOf("vm", "db", "n1"), vmOf("db-1", "db", "n3")],
      target: "n2",
      want: /^PlacementRules: rule db-together \(Required VmAffinity\): the group stays together in topology\.kubernetes\.io\/zone=zone-b$/,
    },
    {
      name: "Required VmAffinity allows any node of the group's domain",
      rules: [
        rule("db-together", {
          type: "VmAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "db" } } },
          topologyKey: ZONE,
        }),
      ],
      vms: [vmOf("vm", "db", "n1"), vmOf("db-1", "db", "n3")],
      target: "n4",
      want: undefined,
    },
    {
      name: "Required VmAffinity on hostname names every domain a split group occupies",
      rules: [
        rule("db-together", {
          type: "VmAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "db" } } },
        }),
      ],
      vms: [vmOf("vm", "db", "n1"), vmOf("db-1", "db", "n3"), vmOf("db-2", "db", "n2")],
      target: "n4",
      want: /^PlacementRules: rule db-together \(Required VmAffinity\): the group stays together in kubernetes\.io\/hostname=n2 or n3$/,
    },
    {
      name: "Required VmAffinity lets the group's only member go anywhere",
      rules: [
        rule("db-together", {
          type: "VmAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "db" } } },
        }),
      ],
      vms: [vmOf("vm", "db", "n1")],
      target: "n4",
      want: undefined,
    },
    {
      name: "Required NodeAffinity rejects a node outside the host group",
      rules: [
        rule("web-on-gold", {
          type: "NodeAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "web" } } },
          nodes: { selector: { matchLabels: { pool: "gold" } } },
        }),
      ],
      vms: [vmOf("vm", "web", "n1")],
      target: "n4",
      want: /^PlacementRules: rule web-on-gold \(Required NodeAffinity\): n4 is not in the rule's host group$/,
    },
    {
      name: "Required NodeAffinity allows a node in the host group",
      rules: [
        rule("web-on-gold", {
          type: "NodeAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "web" } } },
          nodes: { selector: { matchLabels: { pool: "gold" } } },
        }),
      ],
      vms: [vmOf("vm", "web", "n1")],
      target: "n3",
      want: undefined,
    },
    {
      name: "Required NodeAntiAffinity rejects a node in the excluded host group",
      rules: [
        rule("web-off-gold", {
          type: "NodeAntiAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "web" } } },
          nodes: { selector: { matchLabels: { pool: "gold" } } },
        }),
      ],
      vms: [vmOf("vm", "web", "n1")],
      target: "n2",
      want: /^PlacementRules: rule web-off-gold \(Required NodeAntiAffinity\): n\d is in the rule's excluded host group$/,
    },
    {
      name: "Required NodeAntiAffinity allows a node outside the excluded host group",
      rules: [
        rule("web-off-gold", {
          type: "NodeAntiAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "web" } } },
          nodes: { selector: { matchLabels: { pool: "gold" } } },
        }),
      ],
      vms: [vmOf("vm", "web", "n1")],
      target: "n4",
      want: undefined,
    },
    {
      name: "a namespace-scoped rule does not bind VMs of other namespaces",
      rules: [
        rule("prod-spread", {
          type: "VmAntiAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "web" } }, namespaces: ["prod"] },
        }),
      ],
      vms: [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n2", "prod")],
      target: "n2",
      want: undefined,
    },
    {
      name: "a namespace-scoped rule binds its namespace's VMs",
      rules: [
        rule("prod-spread", {
          type: "VmAntiAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "web" } }, namespaces: ["prod"] },
        }),
      ],
      vms: [vmOf("vm", "web", "n1", "prod"), vmOf("web-1", "web", "n2", "prod")],
      mover: "prod/vm",
      target: "n2",
      want: /^PlacementRules: rule prod-spread \(Required VmAntiAffinity\): 1 other VM\(s\) of the group/,
    },
    {
      name: "a namespace-scoped rule counts only its namespace's VMs as members",
      rules: [
        rule("prod-spread", {
          type: "VmAntiAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "web" } }, namespaces: ["prod"] },
        }),
      ],
      vms: [vmOf("vm", "web", "n1", "prod"), vmOf("web-1", "web", "n2", "dev")],
      mover: "prod/vm",
      target: "n2",
      want: undefined,
    },
    {
      name: "the first violated Required rule (by name) is reported",
      rules: [
        rule("b-web-off-gold", {
          type: "NodeAntiAffinity",
          enforcement: "Required",
          vms: { selector: { matchLabels: { app: "web" } } },
          nodes: { selector: { matchLabels: { pool: "gold" } } },
        }),
        webSpread("Required"),
      ],
      vms: [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n2")],
      target: "n2",
      want: /^PlacementRules: rule b-web-off-gold \(Required NodeAntiAffinity\)/,
    },
  ])("$name", ({ rules, vms, mover, target, want }) => {
    const ctx = contextFor(NODES, vms, { rules });
    expectVerdict(filterVerdict(placementRules, ctx, mover ?? "vm", target), want);
  });
});

describe("PreferredRules", () => {
  const targets = ["n2", "n3", "n4"];

  it.each([
    {
      name: "a Preferred VmAntiAffinity adds its weight where it holds and subtracts it where it breaks",
      rules: [{ ...webSpread("Preferred"), weight: 30 }],
      vms: [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n2")],
      want: { n2: -30, n3: 30, n4: 30 },
    },
    {
      name: "Preferred rules add up",
      rules: [
        { ...webSpread("Preferred"), weight: 30 },
        rule("web-on-gold", {
          type: "NodeAffinity",
          enforcement: "Preferred",
          weight: 20,
          vms: { selector: { matchLabels: { app: "web" } } },
          nodes: { selector: { matchLabels: { pool: "gold" } } },
        }),
      ],
      vms: [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n2")],
      want: { n2: -10, n3: 50, n4: 10 },
    },
    {
      name: "the default weight of a Preferred rule is 50",
      rules: [webSpread("Preferred")],
      vms: [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n2")],
      want: { n2: -50, n3: 50, n4: 50 },
    },
    {
      name: "Required rules are not scored",
      rules: [webSpread("Required")],
      vms: [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n2")],
      want: { n2: 0, n3: 0, n4: 0 },
    },
    {
      name: "a VM outside every group scores zero",
      rules: [webSpread("Preferred")],
      vms: [vmOf("vm", "db", "n1"), vmOf("web-1", "web", "n2")],
      want: { n2: 0, n3: 0, n4: 0 },
    },
  ])("$name", ({ rules, vms, want }) => {
    expect(rawScores(preferredRules, contextFor(NODES, vms, { rules }), "vm", targets)).toEqual(want);
  });

  it("is normalized min-max across the candidates", () => {
    const ctx = contextFor(NODES, [vmOf("vm", "web", "n1"), vmOf("web-1", "web", "n2")], {
      rules: [{ ...webSpread("Preferred"), weight: 30 }],
    });
    expect(normalizedScores(preferredRules, ctx, "vm", targets)).toEqual({ n2: 0, n3: 100, n4: 100 });
  });
});
