import { describe, expect, it } from "vitest";
import { EMPTY_POLICY_SET } from "../core/policy/policy-set.ts";
import { replaySnapshot } from "./replay-snapshot.ts";
import type { ReplayHost, ReplayState } from "./replay-types.ts";
import { usageSettingsOf } from "./strategies/moves.ts";

const GiB = 2 ** 30;

function state(hosts: ReplayHost[]): ReplayState {
  return {
    now: Date.parse("2011-03-03T00:06:00Z"),
    stepMs: 300_000,
    hosts,
    vms: [],
    hostOf: new Int32Array(0),
    cpuHistory: () => [],
    migrating: new Set(),
    migrations: [],
  };
}

describe("replaySnapshot: nodes as the controller's snapshot shows them", () => {
  const bare: ReplayHost = { name: "h0", type: "g4", cores: 37, memory: 4 * GiB, pods: 250, labels: {} };
  const nodeOf = (host: ReplayHost) => replaySnapshot(state([host]), usageSettingsOf(EMPTY_POLICY_SET)).nodes[0];

  it("leaves allocatable out for a host that reserves nothing: the model takes its capacity", () => {
    expect(nodeOf(bare)?.allocatable).toBeUndefined();
  });

  it("gives what the kubelet leaves as allocatable, CPU in the same unit as the capacity", () => {
    const node = nodeOf({ ...bare, allocatable: { cpu: 36.13, memory: 3 * GiB, pods: 110 } });
    expect((node?.allocatable?.cpu ?? 0) / (node?.capacity.cpu ?? 1)).toBeCloseTo(36.13 / 37, 12);
    expect([node?.allocatable?.memory, node?.allocatable?.pods]).toEqual([3 * GiB, 110]);
    expect([node?.capacity.memory, node?.capacity.pods]).toEqual([4 * GiB, 250]);
  });
});
