/** Discovery: the API groups kubedrs needs, and each resource with its verbs and short names. */
import { describe, expect } from "vitest";
import type { Suite } from "../specs.ts";

const GROUPS = [
  { group: "kubevirt.io", version: "v1" },
  { group: "migrations.kubevirt.io", version: "v1alpha1" },
  { group: "metrics.k8s.io", version: "v1beta1" },
  { group: "nodemaintenance.medik8s.io", version: "v1beta1" },
  { group: "coordination.k8s.io", version: "v1" },
  { group: "policy", version: "v1" },
].map((row) => ({ ...row, title: `serves the ${row.group} API group at ${row.version}` }));

const ALL = ["create", "delete", "get", "list", "patch", "update", "watch"];
const SUBRESOURCE = ["get", "patch", "update"];

const RESOURCES = [
  { groupVersion: "v1", name: "nodes", verbs: ALL, shortNames: ["no"] },
  { groupVersion: "v1", name: "pods", verbs: ALL, shortNames: ["po"] },
  { groupVersion: "v1", name: "namespaces", verbs: ALL, shortNames: ["ns"] },
  { groupVersion: "v1", name: "events", verbs: ALL, shortNames: ["ev"] },
  { groupVersion: "v1", name: "pods/eviction", verbs: ["create"], shortNames: [] },
  { groupVersion: "v1", name: "pods/status", verbs: SUBRESOURCE, shortNames: [] },
  { groupVersion: "v1", name: "nodes/status", verbs: SUBRESOURCE, shortNames: [] },
  { groupVersion: "coordination.k8s.io/v1", name: "leases", verbs: ALL, shortNames: [] },
  { groupVersion: "kubevirt.io/v1", name: "virtualmachines", verbs: ALL, shortNames: ["vm"] },
  { groupVersion: "kubevirt.io/v1", name: "virtualmachines/status", verbs: SUBRESOURCE, shortNames: [] },
  { groupVersion: "kubevirt.io/v1", name: "virtualmachineinstances", verbs: ALL, shortNames: ["vmi"] },
  { groupVersion: "kubevirt.io/v1", name: "virtualmachineinstancemigrations", verbs: ALL, shortNames: ["vmim"] },
  { groupVersion: "migrations.kubevirt.io/v1alpha1", name: "migrationpolicies", verbs: ALL, shortNames: [] },
  { groupVersion: "nodemaintenance.medik8s.io/v1beta1", name: "nodemaintenances", verbs: ALL, shortNames: [] },
  { groupVersion: "metrics.k8s.io/v1beta1", name: "nodes", verbs: ["get", "list"], shortNames: [] },
  { groupVersion: "metrics.k8s.io/v1beta1", name: "pods", verbs: ["get", "list"], shortNames: [] },
].map((row) => ({
  ...row,
  title: `lists ${row.name} in ${row.groupVersion} with its verbs${row.shortNames.length ? ` and short name ${row.shortNames.join(", ")}` : ""}`,
}));

export function describeDiscovery({ h, specs }: Suite): void {
  describe("discovery", () => {
    specs.each(GROUPS, async ({ group, version }) => {
      const list = await h().apis.getAPIVersions();
      const served = list.groups.find((entry) => entry.name === group);
      expect(served?.versions.map((entry) => entry.groupVersion)).toContain(`${group}/${version}`);
    });

    specs.each(RESOURCES, async ({ groupVersion, name, verbs, shortNames }) => {
      const [group, version] = groupVersion.includes("/") ? groupVersion.split("/") : ["", groupVersion];
      const list = group
        ? await h().custom.getAPIResources({ group, version: version ?? "" })
        : await h().core.getAPIResources();
      const resource = list.resources.find((entry) => entry.name === name);
      expect(resource, `${name} in ${groupVersion}`).toBeDefined();
      expect(resource?.verbs).toEqual(expect.arrayContaining(verbs));
      expect(resource?.shortNames ?? []).toEqual(expect.arrayContaining(shortNames));
    });

    specs.it("indexes the core and KubeVirt group versions in the OpenAPI v3 document", async () => {
      const index = await h().raw("GET", "/openapi/v3");
      expect(index.status).toBe(200);
      expect(Object.keys((index.json as { paths: Record<string, unknown> }).paths)).toEqual(
        expect.arrayContaining(["api/v1", "apis/kubevirt.io/v1"]),
      );
    });
  });
}
