import { describe, expect, it } from "vitest";
import type { Twin } from "../../../src/twin/twin.ts";
import { advance, createMigration, createVm, kubevirtTwin, launcherPods } from "../support/kubevirt-fixture.ts";

/** VMs, a migration, an evacuation and a host failure: everything the KubeVirt simulation does with time and chance. */
function busyDay(seed: number): Twin {
  const twin = kubevirtTwin({ seed, configuration: { migrations: { bandwidthPerMigration: "128Mi" } } });
  for (const name of ["web", "db", "cache"]) createVm(twin, name, { evictionStrategy: "LiveMigrate" });
  advance(twin, 30);
  createMigration(twin, "web", { name: "move-web" });
  try {
    twin.runtime.evictPod("vms", launcherPods(twin, "db")[0]?.metadata.name ?? "");
  } catch {
    // Refused with 429: the VMI evacuates instead.
  }
  advance(twin, 120);
  const cacheNode = String(launcherPods(twin, "cache").at(-1)?.spec?.nodeName);
  twin.runtime.truth.setHost(cacheNode, { powered: false });
  advance(twin, 15 * 60);
  return twin;
}

describe("the KubeVirt simulation", () => {
  it("replays the same run for the same seed", () => {
    const first = busyDay(5);
    const second = busyDay(5);
    expect(second.runtime.log.lines()).toEqual(first.runtime.log.lines());
    for (const vm of ["vms/web", "vms/db", "vms/cache"]) {
      expect(second.runtime.truth.hostsOf(vm)).toEqual(first.runtime.truth.hostsOf(vm));
    }
  });
});
