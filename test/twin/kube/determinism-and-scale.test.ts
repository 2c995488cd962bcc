import { describe, expect, it } from "vitest";
import { INITIAL_NODE_ANNOTATION } from "../../../src/twin/kube/index.ts";
import { KubeFixture, cluster, nodeOf, restartNever } from "../support/kube-fixture.ts";

function hostFailureRun(seed: number): string[] {
  const fixture = cluster(["node-1", "node-2", "node-3", "node-4"], seed);
  for (let index = 0; index < 12; index += 1) fixture.pod(`web-${index}`, { cpu: "500m", memory: "1Gi" }, restartNever);
  fixture.advance(10);
  fixture.runtime.truth.setHost("node-2", { powered: false });
  fixture.advance(400);
  fixture.runtime.truth.setHost("node-2", { powered: true });
  fixture.advance(120);
  return fixture.runtime.log.lines();
}

describe("the simulated cluster as a whole", () => {
  it("replays a host failure identically for the same seed", () => {
    const first = hostFailureRun(42);
    expect(hostFailureRun(42)).toEqual(first);
    expect(first.some((line) => line.includes("terminating"))).toBe(true);
  });

  it("schedules a few thousand pods over hundreds of nodes at start-up", () => {
    const fixture = new KubeFixture(3);
    for (let index = 0; index < 200; index += 1) {
      fixture.node(`node-${index}`, {
        cpu: "64",
        memory: "256Gi",
        labels: { "topology.kubernetes.io/zone": `zone-${index % 3}` },
      });
    }
    for (let index = 0; index < 2000; index += 1) {
      fixture.pod(`vm-${index}`, { cpu: "1", memory: "4Gi", labels: { group: `g${index % 50}` } }, (pod) => {
        if (index % 2 === 0) pod.metadata.annotations = { [INITIAL_NODE_ANNOTATION]: `node-${index % 200}` };
      });
    }
    fixture.settle();
    const pods = fixture.runtime.store.list(fixture.resources.pods);
    expect(pods.filter((pod) => nodeOf(pod) !== undefined)).toHaveLength(2000);
    expect(nodeOf(fixture.getPod("vm-8"))).toBe("node-8");
  });
});
