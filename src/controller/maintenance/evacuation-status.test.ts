import { describe, expect, it } from "vitest";
import { type EvacuationStatus, readEvacuationStatus, writeEvacuationStatus } from "./evacuation-status.ts";

const ANNOTATION = "kubedrs.io/evacuation";

const status: EvacuationStatus = {
  phase: "Evacuating",
  reason: "kubedrs evacuate",
  startedAt: "2026-11-22T10:00:00Z",
  updatedAt: "2026-11-22T10:03:00Z",
  vms: ["prod/db", "prod/web", "ml/trainer"],
  remaining: 2,
  inFlight: 1,
  blocked: [{ vm: "prod/db", action: "Block", reason: "LiveMigratable: volume data is ReadWriteOnce" }],
  etaSeconds: 190,
  lowerBoundSeconds: 120,
  cordonedByKubedrs: true,
  restarted: ["ml/trainer"],
};

describe("evacuation status on the node", () => {
  it("reads back what it wrote", () => {
    const written = writeEvacuationStatus(status);
    expect(Object.keys(written)).toEqual([ANNOTATION]);
    const annotations = { other: "kept", [ANNOTATION]: written[ANNOTATION] ?? "" };
    expect(readEvacuationStatus(annotations)).toEqual({ status });
  });

  it("writes null to remove the annotation when the evacuation is over", () => {
    expect(writeEvacuationStatus(undefined)).toEqual({ [ANNOTATION]: null });
  });

  it("reads nothing, and no error, from a node without the annotation", () => {
    expect(readEvacuationStatus({ "kubedrs.io/maintenance": "firmware" })).toEqual({});
  });

  it("reads a status written before `restarted` existed as one that restarted nothing", () => {
    const { restarted: _dropped, ...old } = status;
    expect(readEvacuationStatus({ [ANNOTATION]: JSON.stringify(old) })).toEqual({ status: { ...old, restarted: [] } });
  });

  it.each<{ name: string; text: string }>([
    { name: "JSON cut short", text: '{"phase":"Evacuating","vms":[' },
    { name: "not JSON at all", text: "evacuating" },
    { name: "JSON null", text: "null" },
    { name: "a JSON string", text: '"Evacuating"' },
    { name: "an object without a phase", text: '{"vms":[],"blocked":[]}' },
    { name: "vms that is not a list", text: '{"phase":"Ready","vms":3,"blocked":[]}' },
    { name: "no blocked list", text: '{"phase":"Ready","vms":[]}' },
  ])("reports a mangled annotation ($name) as an error naming it", ({ text }) => {
    const read = readEvacuationStatus({ [ANNOTATION]: text });
    expect(read.status).toBeUndefined();
    expect(read.error).toMatch(/^annotation kubedrs\.io\/evacuation is not an evacuation status: /);
    expect(read.error).toContain(text.slice(0, 80));
  });

  it("quotes at most 80 characters of a long mangled annotation", () => {
    const text = `{${"x".repeat(200)}`;
    const read = readEvacuationStatus({ [ANNOTATION]: text });
    expect(read.error).toBe(`annotation ${ANNOTATION} is not an evacuation status: ${text.slice(0, 80)}`);
  });
});
