import { describe, expect, it } from "vitest";
import { type VmInput, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import { contextFor, labelled, rawScores } from "../../../../../test/support/placement-context.ts";
import { failureDomainSpread } from "./index.ts";

const ZONE = "topology.kubernetes.io/zone";

/** n1, n2 in zone-a; n3 in zone-b; n4 in zone-c; n5 without a zone. */
const NODES = [
  buildNode("n1"),
  buildNode("n2"),
  buildNode("n3", {}, labelled({ [ZONE]: "zone-b" })),
  buildNode("n4", {}, labelled({ [ZONE]: "zone-c" })),
  buildNode("n5", {}, labelled({}, [ZONE])),
];
const TARGETS = ["n2", "n3", "n4", "n5"];

function vmOf(name: string, node: string, labels: Record<string, string>, namespace = "default"): VmInput {
  return buildVm(name, node, { cpu: "1", memory: "1Gi" }, (vm) => {
    vm.namespace = namespace;
    vm.labels = labels;
  });
}

const spread = { n2: (100 * 2) / 3, n3: 100 / 3, n4: 100, n5: 100 };
const even = { n2: 100, n3: 100, n4: 100, n5: 100 };

describe("FailureDomainSpread", () => {
  it.each<{ name: string; vms: VmInput[]; want: Record<string, number> }>([
    {
      name: "prefers zones holding fewer of the application's other VMs; nodes without a zone are neutral",
      vms: [
        vmOf("vm", "n1", { app: "web" }),
        vmOf("web-2", "n2", { app: "web" }),
        vmOf("web-3", "n3", { app: "web" }),
        vmOf("web-4", "n3", { app: "web" }),
      ],
      want: spread,
    },
    {
      name: "app.kubernetes.io/name takes precedence over app",
      vms: [
        vmOf("vm", "n1", { "app.kubernetes.io/name": "shop", app: "web" }),
        vmOf("shop-2", "n2", { "app.kubernetes.io/name": "shop", app: "cart" }),
        vmOf("shop-3", "n3", { "app.kubernetes.io/name": "shop" }),
        vmOf("shop-4", "n3", { "app.kubernetes.io/name": "shop" }),
        vmOf("web-2", "n4", { app: "web" }),
      ],
      want: spread,
    },
    {
      name: "kubevirt.io/vm-group groups VMs without an app label",
      vms: [
        vmOf("vm", "n1", { "kubevirt.io/vm-group": "etcd" }),
        vmOf("etcd-2", "n2", { "kubevirt.io/vm-group": "etcd" }),
        vmOf("etcd-3", "n3", { "kubevirt.io/vm-group": "etcd" }),
        vmOf("etcd-4", "n3", { "kubevirt.io/vm-group": "etcd" }),
      ],
      want: spread,
    },
    {
      name: "an application's VMs in another namespace are another application",
      vms: [
        vmOf("vm", "n1", { app: "web" }),
        vmOf("web-2", "n2", { app: "web" }, "staging"),
        vmOf("web-3", "n3", { app: "web" }, "staging"),
      ],
      want: even,
    },
    {
      name: "the only VM of its application may go anywhere",
      vms: [vmOf("vm", "n1", { app: "web" }), vmOf("db", "n2", { app: "db" })],
      want: even,
    },
    {
      name: "a VM without an application label may go anywhere",
      vms: [vmOf("vm", "n1", {}), vmOf("other", "n2", {})],
      want: even,
    },
  ])("$name", ({ vms, want }) => {
    const actual = rawScores(failureDomainSpread, contextFor(NODES, vms), "vm", TARGETS);
    for (const node of TARGETS) expect(actual[node]).toBeCloseTo(want[node] ?? Number.NaN);
  });
});
