/** The controller's arguments as the benchmarks read them from deploy/deployment.yaml. */
import { describe, expect, it } from "vitest";
import { parseQuantity } from "../../src/core/model/quantity.ts";
import { deploymentArgs, deploymentFlag } from "../../scripts/deployment-args.ts";
import { deployFile } from "./manifests.ts";

function memoryLimit(): number | undefined {
  const [deployment] = deployFile("deployment.yaml");
  const { containers } = (deployment?.spec as { template: { spec: { containers: { resources: unknown }[] } } }).template
    .spec;
  const limit = (containers[0]?.resources as { limits?: { memory?: string } }).limits?.memory;
  return limit === undefined ? undefined : parseQuantity(limit);
}

describe("deploymentArgs", () => {
  it("reads the controller container's args", () => {
    expect(deploymentArgs()[0]).toBe("run");
    expect(deploymentFlag("--leader-election-id")).toBe("kubedrs-leader");
    expect(deploymentFlag("--no-such-flag")).toBeUndefined();
  });

  it("finds a memory target the benchmark can run with, below the container's memory limit", () => {
    const target = parseQuantity(deploymentFlag("--memory-target") ?? "");
    const limit = memoryLimit();
    expect(target).toBeGreaterThan(0);
    expect(limit).toBeDefined();
    expect(target).toBeLessThan(limit ?? 0);
  });
});
