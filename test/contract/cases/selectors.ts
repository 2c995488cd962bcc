/** Label selectors (=, ==, !=, in, notin, exists, !exists), field selectors, and pagination. */
import { afterAll, beforeAll, describe, expect } from "vitest";
import { lease, pod } from "../fixtures.ts";
import { MERGE_PATCH } from "../harness.ts";
import type { Suite } from "../specs.ts";

/** Four leases, a to d, labelled so that each selector picks a different set. */
const LABELS: Readonly<Record<string, Record<string, string>>> = {
  a: { tier: "web", env: "prod" },
  b: { tier: "db", env: "prod" },
  c: { tier: "web" },
  d: {},
};

const LABEL_SELECTIONS = [
  { selector: "tier=web", expected: ["a", "c"] },
  { selector: "tier==web", expected: ["a", "c"] },
  { selector: "tier!=web", expected: ["b", "d"] },
  { selector: "tier in (web,db)", expected: ["a", "b", "c"] },
  { selector: "tier notin (web)", expected: ["b", "d"] },
  { selector: "env", expected: ["a", "b"] },
  { selector: "!env", expected: ["c", "d"] },
  { selector: "tier=web,env", expected: ["a"] },
].map((row) => ({ ...row, title: `selects by the label selector "${row.selector}"` }));

function describeLabelSelectors({ h, specs }: Suite): void {
  describe("label selectors", () => {
    let group = "";
    beforeAll(async () => {
      const x = h();
      group = x.name("labels");
      for (const [key, labels] of Object.entries(LABELS)) {
        const body = lease(`${group}-${key}`, x.ns, (l) => (l.metadata!.labels = { group, ...labels }));
        await x.coordination.createNamespacedLease({ namespace: x.ns, body });
      }
    });
    afterAll(async () => {
      await h().coordination.deleteCollectionNamespacedLease({ namespace: h().ns, labelSelector: `group=${group}` });
    });

    specs.each(LABEL_SELECTIONS, async ({ selector, expected }) => {
      const x = h();
      const list = await x.coordination.listNamespacedLease({
        namespace: x.ns,
        labelSelector: `group=${group},${selector}`,
      });
      expect(list.items.map((item) => item.metadata?.name).sort()).toEqual(expected.map((key) => `${group}-${key}`));
    });
  });
}

function describeFieldSelectors({ h, specs }: Suite): void {
  describe("field selectors", () => {
    /** Three pods: a on node-1 and Running, b on node-2, c unbound. */
    const pods: Record<string, { name: string; node: string | undefined }> = {};
    const named = (keys: readonly string[]): string[] => keys.map((key) => pods[key]?.name ?? "");
    beforeAll(async () => {
      const x = h();
      const base = x.name("fields");
      Object.assign(pods, {
        a: { name: `${base}-a`, node: `${base}-node-1` },
        b: { name: `${base}-b`, node: `${base}-node-2` },
        c: { name: `${base}-c`, node: undefined },
      });
      for (const { name, node } of Object.values(pods)) {
        const body = pod(name, x.ns, (p) => {
          if (node) p.spec!.nodeName = node;
        });
        await x.core.createNamespacedPod({ namespace: x.ns, body });
      }
      await x.core.patchNamespacedPodStatus(
        { name: pods.a?.name ?? "", namespace: x.ns, body: { status: { phase: "Running" } } },
        MERGE_PATCH,
      );
    });
    afterAll(async () => {
      const x = h();
      for (const { name } of Object.values(pods)) {
        await x.core.deleteNamespacedPod({ name, namespace: x.ns, gracePeriodSeconds: 0 });
      }
    });

    const selections = [
      { what: "spec.nodeName=", selector: () => `spec.nodeName=${pods.a?.node}`, expected: ["a"] },
      { what: "spec.nodeName!=", selector: () => `spec.nodeName!=${pods.a?.node}`, expected: ["b", "c"] },
      { what: "metadata.name=", selector: () => `metadata.name=${pods.b?.name}`, expected: ["b"] },
      { what: "status.phase=", selector: () => "status.phase=Running", expected: ["a"] },
      {
        what: "several requirements at once",
        selector: () => `status.phase!=Running,metadata.name!=${pods.b?.name}`,
        expected: ["c"],
      },
    ].map((row) => ({ ...row, title: `selects pods by ${row.what}` }));

    specs.each(selections, async ({ selector, expected }) => {
      const x = h();
      const list = await x.core.listNamespacedPod({ namespace: x.ns, fieldSelector: selector() });
      const ours = new Set(named(["a", "b", "c"]));
      const found = list.items.map((item) => item.metadata?.name ?? "").filter((name) => ours.has(name));
      expect(found.sort()).toEqual(named(expected));
    });

    specs.it("selects pods in all namespaces by metadata.namespace", async () => {
      const x = h();
      const list = await x.core.listPodForAllNamespaces({ fieldSelector: `metadata.namespace=${x.ns}` });
      expect(list.items.map((item) => item.metadata?.name)).toEqual(expect.arrayContaining(named(["a", "b", "c"])));
      expect(new Set(list.items.map((item) => item.metadata?.namespace))).toEqual(new Set([x.ns]));
    });

    specs.it("selects nodes by metadata.name", async () => {
      const x = h();
      const name = await x.createNode();
      const list = await x.core.listNode({ fieldSelector: `metadata.name=${name}` });
      expect(list.items.map((item) => item.metadata?.name)).toEqual([name]);
    });
  });
}

function describePagination({ h, specs }: Suite): void {
  describe("pagination", () => {
    specs.it("pages through a list with limit and continue, in name order, without gaps", async () => {
      const x = h();
      const group = x.name("pages");
      const names = ["e", "a", "d", "b", "c"].map((key) => `${group}-${key}`);
      for (const name of names) {
        x.track(x.leasePath(name));
        const body = lease(name, x.ns, (l) => (l.metadata!.labels = { group }));
        await x.coordination.createNamespacedLease({ namespace: x.ns, body });
      }
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const page = await x.coordination.listNamespacedLease({
          namespace: x.ns,
          labelSelector: `group=${group}`,
          limit: 2,
          ...(token && { _continue: token }),
        });
        pages.push(page.items.map((item) => item.metadata?.name ?? ""));
        token = page.metadata?._continue || undefined;
      } while (token && pages.length < 10);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual([...names].sort());
    });
  });
}

export function describeSelectorsAndPages(suite: Suite): void {
  describeLabelSelectors(suite);
  describeFieldSelectors(suite);
  describePagination(suite);
}
