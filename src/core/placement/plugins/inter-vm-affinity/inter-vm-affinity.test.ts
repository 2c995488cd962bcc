import { describe, expect, it } from "vitest";
import { type MutableVm, type VmInput, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import {
  contextFor,
  expectVerdict,
  filterVerdict,
  labelled,
  normalizedScores,
  rawScores,
} from "../../../../../test/support/placement-context.ts";
import type { PodAffinityTerm } from "../../../model/cluster.ts";
import { interVmAffinity, preferredVmAffinity } from "./index.ts";

const HOST = "kubernetes.io/hostname";
const ZONE = "topology.kubernetes.io/zone";

/** n1, n2 in zone-a; n3, n4 in zone-b; n5 without a zone label. */
const NODES = [
  buildNode("n1"),
  buildNode("n2"),
  buildNode("n3", {}, labelled({ [ZONE]: "zone-b" })),
  buildNode("n4", {}, labelled({ [ZONE]: "zone-b" })),
  buildNode("n5", {}, labelled({}, [ZONE])),
];

const NAMESPACES = [
  { name: "default", labels: { team: "web" } },
  { name: "other", labels: { team: "dba" } },
];

function term(app: string, topologyKey: string, scope: Partial<PodAffinityTerm> = {}): PodAffinityTerm {
  return { labelSelector: { matchLabels: { app } }, topologyKey, ...scope };
}

function antiAffinity(...terms: PodAffinityTerm[]) {
  return (vm: MutableVm) => {
    vm.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } };
  };
}

function affinity(...terms: PodAffinityTerm[]) {
  return (vm: MutableVm) => {
    vm.affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } };
  };
}

/** A VM named `name` with label app=`app` on `node`, changed by `apply`. */
function vmOf(
  name: string,
  app: string,
  node: string,
  apply?: (vm: MutableVm) => void,
  namespace = "default",
): VmInput {
  return buildVm(name, node, { cpu: "1", memory: "1Gi" }, (vm) => {
    vm.namespace = namespace;
    vm.labels = { app };
    apply?.(vm);
  });
}

interface Case {
  name: string;
  /** The moving VM, "vm", in namespace default. */
  vm: VmInput;
  others: VmInput[];
  target: string;
  want: RegExp | undefined;
  /** Balance by default: a live migration, whose source pod still counts. */
  purpose?: "balance" | "restart";
}

const ownAntiAffinity: Case[] = [
  {
    name: "anti-affinity on hostname rejects the node a matching VM runs on",
    vm: vmOf("vm", "db", "n1", antiAffinity(term("db", HOST))),
    others: [vmOf("db-1", "db", "n2")],
    target: "n2",
    want: /^InterVmAffinity: pod anti-affinity: a VM matching app=db already runs in kubernetes\.io\/hostname=n2$/,
  },
  {
    name: "anti-affinity on hostname allows a node without a matching VM",
    vm: vmOf("vm", "db", "n1", antiAffinity(term("db", HOST))),
    others: [vmOf("db-1", "db", "n2")],
    target: "n3",
    want: undefined,
  },
  {
    name: "anti-affinity on zone rejects every node of the zone a matching VM runs in",
    vm: vmOf("vm", "db", "n1", antiAffinity(term("db", ZONE))),
    others: [vmOf("db-1", "db", "n3")],
    target: "n4",
    want: /^InterVmAffinity: pod anti-affinity: a VM matching app=db already runs in topology\.kubernetes\.io\/zone=zone-b$/,
  },
  {
    name: "anti-affinity ignores a node without the topology label",
    vm: vmOf("vm", "db", "n1", antiAffinity(term("db", ZONE))),
    others: [vmOf("db-1", "db", "n5")],
    target: "n5",
    want: undefined,
  },
  {
    name: "anti-affinity with a matchExpressions selector",
    vm: vmOf(
      "vm",
      "db",
      "n1",
      antiAffinity({
        labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["db", "cache"] }] },
        topologyKey: HOST,
      }),
    ),
    others: [vmOf("cache-1", "cache", "n2")],
    target: "n2",
    want: /^InterVmAffinity: pod anti-affinity: a VM matching app In \(db,cache\) already runs in kubernetes\.io\/hostname=n2$/,
  },
  {
    name: "namespaces: a term looks only in the VM's own namespace by default",
    vm: vmOf("vm", "db", "n1", antiAffinity(term("db", HOST))),
    others: [vmOf("db-1", "db", "n2", undefined, "other")],
    target: "n2",
    want: undefined,
  },
  {
    name: "namespaces: a term listing namespaces looks there",
    vm: vmOf("vm", "db", "n1", antiAffinity(term("db", HOST, { namespaces: ["other"] }))),
    others: [vmOf("db-1", "db", "n2", undefined, "other")],
    target: "n2",
    want: /^InterVmAffinity: pod anti-affinity: a VM matching app=db already runs in kubernetes\.io\/hostname=n2$/,
  },
  {
    name: "namespaceSelector: a namespace with matching labels is in scope",
    vm: vmOf("vm", "db", "n1", antiAffinity(term("db", HOST, { namespaceSelector: { matchLabels: { team: "dba" } } }))),
    others: [vmOf("db-1", "db", "n2", undefined, "other")],
    target: "n2",
    want: /^InterVmAffinity: pod anti-affinity/,
  },
  {
    name: "namespaceSelector: a namespace with other labels is out of scope",
    vm: vmOf("vm", "db", "n1", antiAffinity(term("db", HOST, { namespaceSelector: { matchLabels: { team: "ops" } } }))),
    others: [vmOf("db-1", "db", "n2", undefined, "other")],
    target: "n2",
    want: undefined,
  },
  {
    name: "namespaceSelector: an empty selector means every namespace",
    vm: vmOf("vm", "db", "n1", antiAffinity(term("db", HOST, { namespaceSelector: {} }))),
    others: [vmOf("db-1", "db", "n2", undefined, "other")],
    target: "n2",
    want: /^InterVmAffinity: pod anti-affinity/,
  },
];

const ownAffinity: Case[] = [
  {
    name: "affinity on hostname allows the node a matching VM runs on",
    vm: vmOf("vm", "web", "n1", affinity(term("cache", HOST))),
    others: [vmOf("cache-1", "cache", "n2")],
    target: "n2",
    want: undefined,
  },
  {
    name: "affinity on hostname rejects a node without a matching VM",
    vm: vmOf("vm", "web", "n1", affinity(term("cache", HOST))),
    others: [vmOf("cache-1", "cache", "n2")],
    target: "n3",
    want: /^InterVmAffinity: pod affinity: no VM matching app=cache in kubernetes\.io\/hostname=n3$/,
  },
  {
    name: "affinity on zone allows any node of the zone a matching VM runs in",
    vm: vmOf("vm", "web", "n1", affinity(term("cache", ZONE))),
    others: [vmOf("cache-1", "cache", "n3")],
    target: "n4",
    want: undefined,
  },
  {
    name: "affinity on zone rejects nodes of other zones",
    vm: vmOf("vm", "web", "n1", affinity(term("cache", ZONE))),
    others: [vmOf("cache-1", "cache", "n3")],
    target: "n2",
    want: /^InterVmAffinity: pod affinity: no VM matching app=cache in topology\.kubernetes\.io\/zone=zone-a$/,
  },
  {
    name: "affinity rejects a node without the topology label",
    vm: vmOf("vm", "web", "n1", affinity(term("cache", ZONE))),
    others: [vmOf("cache-1", "cache", "n3")],
    target: "n5",
    want: /^InterVmAffinity: node has no topology\.kubernetes\.io\/zone label, which the VM's pod affinity needs$/,
  },
  {
    name: "affinity to a group with no member anywhere is rejected when the VM is not in the group",
    vm: vmOf("vm", "web", "n1", affinity(term("cache", HOST))),
    others: [],
    target: "n3",
    want: /^InterVmAffinity: pod affinity: no VM matching app=cache in kubernetes\.io\/hostname=n3$/,
  },
  {
    name: "on restart, the first VM of a self-affine group may go anywhere (Kubernetes' first-pod rule)",
    vm: vmOf("vm", "web", "n1", affinity(term("web", ZONE))),
    others: [vmOf("db-1", "db", "n3")],
    target: "n3",
    want: undefined,
    purpose: "restart",
  },
  {
    name: "a migrating VM's own source pod matches its self-affinity, so it stays in its zone",
    vm: vmOf("vm", "web", "n1", affinity(term("web", ZONE))),
    others: [vmOf("db-1", "db", "n3")],
    target: "n3",
    want: /^InterVmAffinity: pod affinity: no VM matching app=web in topology\.kubernetes\.io\/zone=/,
  },
  {
    name: "a self-affine group with another member elsewhere pulls the VM there",
    vm: vmOf("vm", "web", "n1", affinity(term("web", HOST))),
    others: [vmOf("web-2", "web", "n3")],
    target: "n2",
    want: /^InterVmAffinity: pod affinity: no VM matching app=web in kubernetes\.io\/hostname=n2$/,
  },
  {
    name: "a self-affine group's other member's node fits",
    vm: vmOf("vm", "web", "n1", affinity(term("web", HOST))),
    others: [vmOf("web-2", "web", "n3")],
    target: "n3",
    want: undefined,
  },
  {
    name: "affinity counts members only in the term's namespaces",
    vm: vmOf("vm", "web", "n1", affinity(term("cache", HOST))),
    others: [vmOf("cache-1", "cache", "n2", undefined, "other")],
    target: "n2",
    want: /^InterVmAffinity: pod affinity: no VM matching app=cache in kubernetes\.io\/hostname=n2$/,
  },
];

const symmetric: Case[] = [
  {
    name: "symmetric: an existing VM's anti-affinity on hostname keeps matching VMs off its node",
    vm: vmOf("vm", "web", "n1"),
    others: [vmOf("db-1", "db", "n2", antiAffinity(term("web", HOST)))],
    target: "n2",
    want: /^InterVmAffinity: anti-affinity of VMs such as default\/db-1 keeps VMs matching app=web out of kubernetes\.io\/hostname=n2$/,
  },
  {
    name: "symmetric: other nodes stay open",
    vm: vmOf("vm", "web", "n1"),
    others: [vmOf("db-1", "db", "n2", antiAffinity(term("web", HOST)))],
    target: "n3",
    want: undefined,
  },
  {
    name: "symmetric: an existing VM's anti-affinity on zone keeps matching VMs out of its zone",
    vm: vmOf("vm", "web", "n1"),
    others: [vmOf("db-1", "db", "n3", antiAffinity(term("web", ZONE)))],
    target: "n4",
    want: /^InterVmAffinity: anti-affinity of VMs such as default\/db-1 keeps VMs matching app=web out of topology\.kubernetes\.io\/zone=zone-b$/,
  },
  {
    name: "symmetric: a VM the existing term does not select is unaffected",
    vm: vmOf("vm", "cache", "n1"),
    others: [vmOf("db-1", "db", "n2", antiAffinity(term("web", HOST)))],
    target: "n2",
    want: undefined,
  },
  {
    name: "symmetric: the existing term looks only in its owner's namespace by default",
    vm: vmOf("vm", "web", "n1"),
    others: [vmOf("db-1", "db", "n2", antiAffinity(term("web", HOST)), "other")],
    target: "n2",
    want: undefined,
  },
  {
    name: "symmetric: the existing term's explicit namespaces reach the VM",
    vm: vmOf("vm", "web", "n1"),
    others: [vmOf("db-1", "db", "n2", antiAffinity(term("web", HOST, { namespaces: ["default"] })), "other")],
    target: "n2",
    want: /^InterVmAffinity: anti-affinity of VMs such as other\/db-1 keeps VMs matching app=web out of kubernetes\.io\/hostname=n2$/,
  },
  {
    name: "symmetric: the existing term's namespaceSelector reaches the VM",
    vm: vmOf("vm", "web", "n1"),
    others: [
      vmOf(
        "db-1",
        "db",
        "n2",
        antiAffinity(term("web", HOST, { namespaceSelector: { matchLabels: { team: "web" } } })),
        "other",
      ),
    ],
    target: "n2",
    want: /^InterVmAffinity: anti-affinity of VMs such as other\/db-1/,
  },
];

describe("InterVmAffinity", () => {
  describe.each([
    { group: "the VM's required anti-affinity", cases: ownAntiAffinity },
    { group: "the VM's required affinity", cases: ownAffinity },
    { group: "other VMs' anti-affinity (symmetry)", cases: symmetric },
  ])("$group", ({ cases }) => {
    it.each(cases)("$name", ({ vm, others, target, want, purpose }) => {
      const ctx = contextFor(NODES, [vm, ...others], {
        purpose: purpose ?? "balance",
        snapshot: (snapshot) => {
          snapshot.namespaces = NAMESPACES;
        },
      });
      expectVerdict(filterVerdict(interVmAffinity, ctx, "vm", target), want);
    });
  });
});

describe("PreferredVmAffinity", () => {
  const preferring = vmOf("vm", "web", "n1", (vm) => {
    vm.affinity = {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 80, podAffinityTerm: term("cache", HOST) }],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 30, podAffinityTerm: term("web", HOST) }],
      },
    };
  });
  const ctx = contextFor(NODES, [
    preferring,
    vmOf("plain", "api", "n1"),
    vmOf("cache-1", "cache", "n2"),
    vmOf("web-2", "web", "n3"),
    vmOf("cache-2", "cache", "n4"),
    vmOf("web-3", "web", "n4"),
  ]);
  const targets = ["n2", "n3", "n4", "n5"];

  it.each([
    {
      name: "preferred affinity adds its weight where matching VMs run, preferred anti-affinity subtracts it",
      vm: "vm",
      want: { n2: 80, n3: -30, n4: 50, n5: 0 },
    },
    { name: "a VM without preferences scores zero everywhere", vm: "plain", want: { n2: 0, n3: 0, n4: 0, n5: 0 } },
  ])("$name", ({ vm, want }) => {
    expect(rawScores(preferredVmAffinity, ctx, vm, targets)).toEqual(want);
  });

  it("is normalized min-max across the candidates", () => {
    const scores = normalizedScores(preferredVmAffinity, ctx, "vm", targets);
    expect(scores.n2).toBe(100);
    expect(scores.n3).toBe(0);
    expect(scores.n4).toBeCloseTo((100 * 80) / 110);
    expect(scores.n5).toBeCloseTo((100 * 30) / 110);
  });

  it("gives every node the full score when none is preferred", () => {
    expect(normalizedScores(preferredVmAffinity, ctx, "plain", targets)).toEqual({
      n2: 100,
      n3: 100,
      n4: 100,
      n5: 100,
    });
  });
});
