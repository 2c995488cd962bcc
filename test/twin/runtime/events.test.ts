import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/twin/api/types.ts";
import { EVENT_TTL_MS } from "../../../src/twin/runtime/events.ts";
import type { Twin } from "../../../src/twin/twin.ts";
import { twinWithNamespace } from "../support/namespaced-twin.ts";

const MINUTE = 60_000;

const subject: KubeObject = {
  apiVersion: "kubevirt.io/v1",
  kind: "VirtualMachineInstance",
  metadata: { name: "web", namespace: "vms", uid: "u-1" },
};

function eventsOf(twin: Twin): KubeObject[] {
  return twin.runtime.store.list(twin.runtime.resources.events, { namespace: "vms" });
}

function emit(twin: Twin, reason: string): void {
  twin.runtime.events.record(subject, { type: "Normal", reason, message: reason, component: "test" });
}

describe("Events", () => {
  it("counts a repeat on the same Event", () => {
    const twin = twinWithNamespace(3);
    emit(twin, "Started");
    twin.advance(MINUTE);
    emit(twin, "Started");
    expect(eventsOf(twin)).toMatchObject([{ reason: "Started", count: 2, lastTimestamp: "2026-11-22T08:01:00Z" }]);
  });

  it("expire an hour after their last write, as with kube-apiserver's --event-ttl", () => {
    const twin = twinWithNamespace(3);
    emit(twin, "Old");
    emit(twin, "Renewed");
    twin.advance(30 * MINUTE);
    emit(twin, "Renewed");
    twin.advance(EVENT_TTL_MS - 30 * MINUTE + 2 * MINUTE);
    expect(eventsOf(twin).map((event) => event.reason)).toEqual(["Renewed"]);
    twin.advance(30 * MINUTE);
    expect(eventsOf(twin)).toEqual([]);
  });

  it("starts a new Event for a repeat after the old one expired", () => {
    const twin = twinWithNamespace(3);
    emit(twin, "Started");
    twin.advance(EVENT_TTL_MS + 2 * MINUTE);
    emit(twin, "Started");
    expect(eventsOf(twin)).toMatchObject([{ reason: "Started", count: 1 }]);
  });
});
