import { describe, expect, it } from "vitest";
import {
  type MutableNode,
  type MutableSnapshot,
  type MutableVm,
  type NodeInput,
  type VmInput,
  NOW,
  buildNode,
  buildVm,
  modelOf,
} from "../../../test/support/builders.ts";
import { EMPTY_POLICY_SET } from "../policy/policy-set.ts";
import { type MoveBack, planMoveBack } from "./move-back.ts";

/** home is back from maintenance; away took its VMs. */
function moveBack(
  vms: VmInput[],
  options: { home?: (node: MutableNode) => void; snapshot?: (snapshot: MutableSnapshot) => void; node?: string } = {},
  listed: readonly string[] = vms.map((vm) => `default/${vm.name}`),
): MoveBack {
  const nodes: NodeInput[] = [buildNode("home", {}, options.home), buildNode("away")];
  const model = modelOf(nodes, vms, options.snapshot);
  return planMoveBack({ model, policies: EMPTY_POLICY_SET, now: NOW, node: options.node ?? "home", vms: listed });
}

const away = (name: string, apply?: (vm: MutableVm) => void): VmInput => buildVm(name, "away", {}, apply);

describe("planMoveBack: which VMs go home", () => {
  it.each<{
    name: string;
    vms: VmInput[];
    listed?: string[];
    home?: (node: MutableNode) => void;
    snapshot?: (snapshot: MutableSnapshot) => void;
    /** undefined: it moves back */
    stays: RegExp | undefined;
  }>([
    { name: "a VM that may move and fits goes back", vms: [away("web")], stays: undefined },
    { name: "a VM no longer in the cluster stays gone", vms: [], listed: ["default/web"], stays: /^the VM is gone$/ },
    { name: "a VM already on the node stays", vms: [buildVm("web", "home")], stays: /^already there$/ },
    {
      name: "an excluded VM stays",
      vms: [
        away("web", (vm) => {
          vm.labels = { ...vm.labels, "kubedrs.io/exclude": "true" };
        }),
      ],
      stays: /^Excluded: excluded with kubedrs\.io\/exclude=true/,
    },
    {
      name: "a VM that is not running stays",
      vms: [
        away("web", (vm) => {
          vm.phase = "Pending";
        }),
      ],
      stays: /^VmRunning: the VMI is Pending, not Running$/,
    },
    {
      name: "a VM that cannot live-migrate stays",
      vms: [
        away("web", (vm) => {
          vm.liveMigratable = { status: "False", reason: "DisksNotLiveMigratable" };
        }),
      ],
      stays: /^LiveMigratable: /,
    },
    {
      name: "a VM with a migration in flight stays",
      vms: [away("web")],
      snapshot: (snapshot) => {
        snapshot.migrations = [
          {
            namespace: "default",
            name: "web-move",
            vm: "web",
            phase: "Running",
            source: "away",
            target: "home",
            createdAt: "2026-11-22T09:59:00Z",
          },
        ];
      },
      stays: /^MigrationInFlight: a migration is already in flight \(default\/web-move, phase Running\)$/,
    },
    {
      name: "a node cordoned again rejects it",
      vms: [away("web")],
      home: (node) => {
        node.unschedulable = true;
      },
      stays: /^NodeSchedulable: node is cordoned/,
    },
    {
      name: "a node the VM's nodeSelector no longer matches rejects it",
      vms: [
        away("web", (vm) => {
          vm.nodeSelector = { pool: "blue" };
        }),
      ],
      stays: /^NodeAffinity: nodeSelector pool=blue not matched \(node has no such label\)$/,
    },
  ])("$name", ({ vms, listed, home, snapshot, stays }) => {
    const back = moveBack(vms, { ...(home ? { home } : {}), ...(snapshot ? { snapshot } : {}) }, listed);
    if (stays === undefined) {
      expect(back.staying).toEqual([]);
      expect(back.moves).toHaveLength(1);
      expect(back.moves[0]).toMatchObject({
        vm: "default/web",
        from: "away",
        to: "home",
        kind: "evacuate",
        policy: "move-back",
      });
      expect(back.moves[0]?.reasons[0]).toBe("moving back to home after its maintenance");
    } else {
      expect(back.moves).toEqual([]);
      expect(back.staying).toEqual([{ vm: "default/web", reason: expect.stringMatching(stays) as unknown }]);
    }
  });

  it("keeps every VM where it is when the node itself is gone", () => {
    const back = moveBack([away("web"), away("db")], { node: "gone" });
    expect(back).toEqual({
      moves: [],
      staying: [
        { vm: "default/web", reason: "node gone is gone" },
        { vm: "default/db", reason: "node gone is gone" },
      ],
    });
  });

  it("moves the biggest first, ties by name, and reports a VM that stays in the same order", () => {
    const vms = [
      buildVm("small", "away", { memory: "4Gi" }),
      buildVm("big", "away", { memory: "16Gi" }),
      buildVm("mid-b", "away", { memory: "8Gi" }),
      buildVm("mid-a", "away", { memory: "8Gi" }),
      buildVm("home-already", "home", { memory: "32Gi" }),
    ];
    const back = moveBack(vms);
    expect(back.moves.map((move) => move.vm)).toEqual([
      "default/big",
      "default/mid-a",
      "default/mid-b",
      "default/small",
    ]);
    expect(back.staying).toEqual([{ vm: "default/home-already", reason: "already there" }]);
  });

  it("counts the moves already added: of two VMs that together overflow the node, only the bigger goes back", () => {
    const back = moveBack([buildVm("eight", "away", { memory: "8Gi" }), buildVm("ten", "away", { memory: "10Gi" })], {
      home: (node) => {
        node.capacity = { ...node.capacity, memory: "16Gi" };
      },
    });
    expect(back.moves.map((move) => move.vm)).toEqual(["default/ten"]);
    expect(back.staying).toEqual([
      {
        vm: "default/eight",
        reason: expect.stringMatching(/^ResourcesFit: insufficient memory: needs 8Gi, 6Gi free$/) as unknown,
      },
    ]);
  });

  it("sends both back when the node holds them together (under the usage headroom)", () => {
    const back = moveBack([buildVm("six-b", "away", { memory: "6Gi" }), buildVm("six-a", "away", { memory: "6Gi" })], {
      home: (node) => {
        node.capacity = { ...node.capacity, memory: "16Gi" };
      },
    });
    expect(back.moves.map((move) => move.vm)).toEqual(["default/six-a", "default/six-b"]);
    expect(back.staying).toEqual([]);
  });
});
