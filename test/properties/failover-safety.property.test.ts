/**
 * Safety of the failover decisions on random clusters, policies and fencing histories: nothing
 * restarts before its host is confirmed fenced; the restart order is a function of the cluster,
 * not of the snapshot's order; capacity runs out from the bottom of the order; no VM twice.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { failoverStep } from "../../src/core/failover/failover-step.ts";
import { restartOrder } from "../../src/core/failover/restart-order.ts";
import type { FenceObservation, NodeHealthState, RestartDecision } from "../../src/core/failover/types.ts";
import { buildClusterModel, type ClusterModel } from "../../src/core/model/cluster.ts";
import { policyDocumentSchemas } from "../../src/core/policy/document.ts";
import type { FenceStep } from "../../src/core/policy/kinds/failover-policy.ts";
import { EMPTY_POLICY_SET, type PolicySet } from "../../src/core/policy/policy-set.ts";
import { type NodeInput, type VmInput, NOW, buildNode, buildVm, snapshotOf } from "../support/builders.ts";

const DEAD = "dead";
const CLASSES = ["high", "medium", "low", "gold", undefined] as const;

interface ClusterInput {
  readonly survivors: readonly number[];
  readonly vms: readonly {
    readonly cpu: number;
    readonly cls: (typeof CLASSES)[number];
    readonly strategy: "Always" | "Manual" | "Halted" | undefined;
    /** 0: the fenced node; 1..: a survivor (taken modulo their count). */
    readonly host: number;
  }[];
}

const clusterInput: fc.Arbitrary<ClusterInput> = fc.record({
  survivors: fc.array(fc.integer({ min: 2, max: 16 }), { minLength: 1, maxLength: 4 }),
  vms: fc.array(
    fc.record({
      cpu: fc.integer({ min: 1, max: 8 }),
      cls: fc.constantFrom(...CLASSES),
      strategy: fc.constantFrom("Always", "Manual", "Halted", undefined),
      host: fc.oneof(fc.constant(0), fc.nat({ max: 4 })),
    }),
    { minLength: 1, maxLength: 14 },
  ),
});

function nodesOf(input: ClusterInput): NodeInput[] {
  return [
    buildNode(DEAD, { cpu: "64" }, (node) => {
      node.conditions = [{ type: "Ready", status: "Unknown", lastTransitionTime: "2026-11-22T09:58:00Z" }];
    }),
    ...input.survivors.map((cpu, index) => buildNode(`alive-${index}`, { cpu: String(cpu) })),
  ];
}

function vmsOf(input: ClusterInput): VmInput[] {
  return input.vms.map((spec, index) => {
    const host = spec.host === 0 ? DEAD : `alive-${spec.host % input.survivors.length}`;
    return buildVm(`vm-${String(index).padStart(2, "0")}`, host, { cpu: String(spec.cpu) }, (vm) => {
      if (spec.cls !== undefined) vm.labels = { ...vm.labels, "kubedrs.io/restart-priority": spec.cls };
      if (spec.strategy !== undefined) vm.runStrategy = spec.strategy;
    });
  });
}

function modelFrom(nodes: NodeInput[], vms: VmInput[]): ClusterModel {
  return buildClusterModel(snapshotOf(nodes, vms));
}

function failoverPolicies(spec: Record<string, unknown>): PolicySet {
  const policy = policyDocumentSchemas.FailoverPolicy.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "FailoverPolicy",
    metadata: { name: "ha" },
    spec,
  });
  return { ...EMPTY_POLICY_SET, failover: [policy] };
}

const FENCING = { strategies: [{ type: "FenceAgents", template: "ipmi" }] };

describe("failover safety: no restart unless the host is confirmed fenced", () => {
  const stepInput = fc.constantFrom<Record<string, unknown>>(
    { type: "FenceAgents", template: "ipmi", timeout: 60 },
    { type: "SelfNodeRemediation", safeTime: 120, timeout: 300 },
    { type: "SelfNodeRemediation", safeTime: 200, timeout: 100 },
    { type: "External", timeout: 90 },
  );
  const fencingInput = fc.record({
    strategies: fc.array(stepInput, { minLength: 1, maxLength: 3 }),
    none: fc.boolean(),
  });
  /** One round as the shell would see it: time passes, the health is read, the step reports or not. */
  const round = fc.record({
    advance: fc.integer({ min: 0, max: 200_000 }),
    health: fc.constantFrom<NodeHealthState>("failed", "failed", "failed", "suspect", "healthy"),
    confirmed: fc.boolean(),
    failed: fc.boolean(),
    /** Replace the observation with an arbitrary one: a confused or lagging shell. */
    garbage: fc.option(
      fc.record({
        step: fc.integer({ min: -1, max: 5 }),
        startedAt: fc.integer({ min: NOW - 600_000, max: NOW + 600_000 }),
        confirmed: fc.boolean(),
        failed: fc.boolean(),
      }),
      { freq: 8 },
    ),
  });

  /** Whether the observation alone justifies a restart: its own step confirmed, SNR only after its safe time. */
  function positivelyConfirmed(
    steps: readonly FenceStep[],
    observation: FenceObservation | undefined,
    now: number,
  ): boolean {
    const step = observation && steps[observation.step];
    if (!observation || !step || !observation.confirmed) return false;
    if (step.type === "SelfNodeRemediation") return now >= observation.startedAt + step.safeTime * 1000;
    return step.type !== "None";
  }

  it("over random fencing histories, restarts happen only on a failed node with confirmed fencing", () => {
    fc.assert(
      fc.property(
        clusterInput,
        fencingInput,
        fc.array(round, { minLength: 1, maxLength: 12 }),
        (input, fencing, rounds) => {
          const strategies = fencing.none ? [...fencing.strategies, { type: "None" }] : fencing.strategies;
          const policies = failoverPolicies({
            fencing: { strategies, acknowledgeUnsafeNoFencing: fencing.none },
          });
          const steps = policies.failover[0]?.spec.fencing.strategies ?? [];
          const model = modelFrom(nodesOf(input), vmsOf(input));
          let now = NOW;
          let observation: FenceObservation | undefined;
          let exhausted = false;
          for (const r of rounds) {
            now += r.advance;
            if (observation) observation = { ...observation, confirmed: r.confirmed, failed: r.failed };
            if (r.garbage) {
              observation = r.garbage;
              exhausted = false;
            }
            const step = failoverStep({
              model,
              policies,
              now,
              node: DEAD,
              health: r.health,
              observation,
              running: new Set(),
            });
            const restarting = step.restarts.length > 0 || step.order.length > 0;
            if (restarting) {
              expect(r.health).toBe("failed");
              expect(step.fence?.kind).toBe("confirmed");
              // Either the step in progress confirmed it itself, or the policy accepted None.
              if (!positivelyConfirmed(steps, observation, now)) expect(fencing.none).toBe(true);
            }
            if (r.health !== "failed") expect(step.fence).toBeUndefined();
            if (step.fence?.kind === "exhausted") exhausted = true;
            if (exhausted && !r.garbage && step.fence?.kind === "confirmed") {
              // After exhaustion a shell that keeps the spent observation never gets a confirmation from time alone.
              expect(observation?.confirmed).toBe(true);
            }
            if (step.fence?.kind === "start")
              observation = { step: step.fence.step, startedAt: now, confirmed: false, failed: false };
          }
        },
      ),
    );
  });

  it("with fencing never confirmed and no None, nothing ever restarts", () => {
    fc.assert(
      fc.property(
        clusterInput,
        fencingInput,
        fc.array(round, { minLength: 1, maxLength: 12 }),
        (input, fencing, rounds) => {
          const policies = failoverPolicies({ fencing: { strategies: fencing.strategies } });
          const model = modelFrom(nodesOf(input), vmsOf(input));
          let now = NOW;
          let observation: FenceObservation | undefined;
          for (const r of rounds) {
            now += r.advance;
            if (observation) observation = { ...observation, failed: r.failed };
            const step = failoverStep({
              model,
              policies,
              now,
              node: DEAD,
              health: r.health,
              observation,
              running: new Set(),
            });
            expect(step.restarts).toEqual([]);
            expect(step.fence?.kind).not.toBe("confirmed");
            if (step.fence?.kind === "start")
              observation = { step: step.fence.step, startedAt: now, confirmed: false, failed: false };
          }
        },
      ),
    );
  });
});

/** A permutation of the items, driven by fast-check's random keys. */
function permuted<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, index) => ({ item, key: keys[index % Math.max(1, keys.length)] ?? 0, index }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map(({ item }) => item);
}

const classesInput = fc.record({
  startAfter: fc.boolean(),
  readyDelay: fc.constantFrom(0, 30),
});

function classPolicies(withStartAfter: boolean, readyDelay: number): PolicySet {
  return failoverPolicies({
    fencing: FENCING,
    restart: {
      priorityClasses: [
        { name: "high", value: 300 },
        { name: "medium", value: 200, startAfter: withStartAfter ? ["high"] : [], readyDelay },
        { name: "low", value: 100 },
      ],
      defaultClass: "medium",
    },
  });
}

describe("failover safety: the restart order", () => {
  it("is deterministic and does not depend on the order of the snapshot", () => {
    fc.assert(
      fc.property(
        clusterInput,
        classesInput,
        fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat({ max: 13 }), { maxLength: 5 }),
        (input, classes, keys, runningPicks) => {
          const policies = classPolicies(classes.startAfter, classes.readyDelay);
          const nodes = nodesOf(input);
          const vms = vmsOf(input);
          const running = new Set(runningPicks.map((pick) => `default/vm-${String(pick).padStart(2, "0")}`));
          const classSince = new Map([["high", NOW - 20_000]]);
          const decide = (model: ClusterModel): RestartDecision[] =>
            restartOrder({ model, policies, now: NOW, node: DEAD, running, classSince });
          const first = decide(modelFrom(nodes, vms));
          expect(decide(modelFrom(nodes, vms))).toEqual(first);
          expect(decide(modelFrom(permuted(nodes, keys), permuted(vms, [...keys].reverse())))).toEqual(first);
        },
      ),
    );
  });

  it("when capacity is short, every waiting VM's priority is at most every restarted VM's", () => {
    fc.assert(
      fc.property(clusterInput, (input) => {
        const decisions = restartOrder({
          model: modelFrom(nodesOf(input), vmsOf(input)),
          policies: classPolicies(false, 0),
          now: NOW,
          node: DEAD,
          running: new Set(),
        });
        const waiting = decisions.filter((d) => d.action === "wait").map((d) => d.priority);
        const restarted = decisions.filter((d) => d.action === "restart").map((d) => d.priority);
        if (waiting.length > 0 && restarted.length > 0)
          expect(Math.max(...waiting)).toBeLessThanOrEqual(Math.min(...restarted));
      }),
    );
  });

  it("lists every VM of the fenced node exactly once, and the restarts fit the survivors by requests", () => {
    fc.assert(
      fc.property(clusterInput, classesInput, (input, classes) => {
        const model = modelFrom(nodesOf(input), vmsOf(input));
        const decisions = restartOrder({
          model,
          policies: classPolicies(classes.startAfter, classes.readyDelay),
          now: NOW,
          node: DEAD,
          running: new Set(),
        });
        const keys = decisions.map((d) => d.vm);
        expect(new Set(keys).size).toBe(keys.length);
        const dead = model.nodeIndex.get(DEAD);
        expect([...keys].sort()).toEqual(model.vms.filter((vm) => vm.node === dead).map((vm) => vm.key));
        // Checked from the snapshot alone: what already runs on a survivor plus what is placed there.
        const cpu = new Map<string, number>();
        for (const vm of model.vms) {
          const node = model.nodes[vm.node]?.name ?? "";
          if (vm.node !== dead) cpu.set(node, (cpu.get(node) ?? 0) + (vm.requests.cpu ?? 0));
        }
        for (const d of decisions) {
          if (d.fits === undefined) continue;
          expect(d.fits).not.toBe(DEAD);
          const vm = model.vms[model.vmIndex.get(d.vm) ?? -1];
          cpu.set(d.fits, (cpu.get(d.fits) ?? 0) + (vm?.requests.cpu ?? 0));
        }
        for (const [name, used] of cpu) {
          const node = model.nodes[model.nodeIndex.get(name) ?? -1];
          if (decisions.some((d) => d.fits === name)) expect(used).toBeLessThanOrEqual(node?.allocatable.cpu ?? 0);
        }
      }),
    );
  });
});
