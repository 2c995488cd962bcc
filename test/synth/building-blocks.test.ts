import { describe, expect, it } from "vitest";
import { NODE_POOLS, poolSizes } from "../../src/synth/node-pools.ts";
import { fillToTarget } from "../../src/synth/node-usage.ts";
import { GiB, MiB } from "../../src/synth/units.ts";
import { memoryOverhead, renderResources, SHARED_CPU } from "../../src/synth/vm-shapes.ts";

describe("fillToTarget", () => {
  it.each([
    { name: "scales evenly below every cap", appetites: [1, 2, 3], caps: [10, 10, 10], target: 12, want: [2, 4, 6] },
    { name: "hands a capped VM's excess to the others", appetites: [1, 1], caps: [1, 10], target: 6, want: [1, 5] },
    {
      name: "stops at the caps when the target is out of reach",
      appetites: [1, 1],
      caps: [2, 3],
      target: 100,
      want: [2, 3],
    },
    { name: "scales down to a low target", appetites: [4, 4], caps: [10, 10], target: 2, want: [1, 1] },
    { name: "returns nothing for no VMs", appetites: [], caps: [], target: 5, want: [] },
  ])("$name", ({ appetites, caps, target, want }) => {
    const got = fillToTarget(appetites, caps, target);
    expect(got).toHaveLength(want.length);
    got.forEach((value, i) => expect(value).toBeCloseTo(want[i]!, 9));
  });
});

describe("poolSizes", () => {
  it.each([1, 2, 5, 6, 7, 100, 1000, 5000])("splits %i nodes exactly, every pool present once there is room", (n) => {
    const sizes = poolSizes(n);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
    if (n >= NODE_POOLS.length) expect(sizes.every((size) => size > 0)).toBe(true);
  });
});

describe("KubeVirt requests", () => {
  it("adds the launcher overhead KubeVirt computes for a 2 vCPU / 4Gi VM", () => {
    // 220Mi fixed + 16Mi for vCPUs + 8Mi IO thread + 32Mi video + 8Mi page tables.
    expect(memoryOverhead({ vcpus: 2, memory: 4 * GiB }, false)).toBe(284 * MiB);
    expect(renderResources({ vcpus: 2, memory: 4 * GiB }, SHARED_CPU)).toEqual({
      requests: { cpu: 200, memory: 4 * GiB + 284 * MiB },
    });
  });

  it("takes dedicated CPUs whole and guest memory from hugepages, with limits equal to requests", () => {
    const rendered = renderResources(
      { vcpus: 4, memory: 16 * GiB },
      { dedicated: true, isolateEmulatorThread: true, hugepages: true, gpus: 0 },
    );
    expect(rendered.requests).toEqual({
      cpu: 5000,
      memory: memoryOverhead({ vcpus: 4, memory: 16 * GiB }, false),
      "hugepages-1Gi": 16 * GiB,
    });
    expect(rendered.limits).toEqual(rendered.requests);
  });
});
