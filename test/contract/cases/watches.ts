/**
 * Watches and informers: the initial ADDED events of a watch from "now", the replay from a
 * resourceVersion, selector transitions, bookmarks, 410 Gone after compaction, and an informer
 * (list, then watch) that sees adds, updates and deletes.
 */
import { type V1Lease, makeInformer } from "@kubernetes/client-node";
import { describe, expect } from "vitest";
import { type StatusBody, WatchStream, eventually } from "../client.ts";
import type { Harness } from "../harness.ts";
import type { Suite } from "../specs.ts";

type Query = Record<string, string | number | boolean>;

const openLeases = (x: Harness, query: Query, startMs?: number): Promise<WatchStream> =>
  WatchStream.open(x.kubeconfig, x.leasePath(), query, startMs);

/** A lease in its own label group, so a watch selecting the group sees only this test's objects. */
async function groupedLease(x: Harness, group: string, labels: Record<string, string> = {}): Promise<string> {
  return (await x.createLease((l) => (l.metadata!.labels = { group, ...labels }))).metadata.name;
}

export function describeWatches({ h, specs }: Suite): void {
  describe("watches", () => {
    specs.it("starts a watch without a resourceVersion with ADDED for what exists, then follows changes", async () => {
      const x = h();
      const group = x.name("now");
      const name = await groupedLease(x, group);
      const stream = await openLeases(x, { labelSelector: `group=${group}` });
      try {
        await stream.next("ADDED", name);
        await x.patchLease(name, { spec: { holderIdentity: "changed" } });
        const modified = await stream.next("MODIFIED", name);
        expect(modified.object.spec).toMatchObject({ holderIdentity: "changed" });
        await x.coordination.deleteNamespacedLease({ name, namespace: x.ns });
        await stream.next("DELETED", name);
        expect(stream.summary()).toEqual([`ADDED ${name}`, `MODIFIED ${name}`, `DELETED ${name}`]);
      } finally {
        stream.stop();
      }
    });

    specs.it("answers a watch at once, before there is any event to send", async () => {
      const x = h();
      const stream = await openLeases(x, { labelSelector: `group=${x.name("quiet")}` }, 1_000);
      stream.stop();
      expect(stream.events).toEqual([]);
    });

    specs.it("replays the changes after a resourceVersion, in order", async () => {
      const x = h();
      const group = x.name("replay");
      const first = await x.createLease((l) => (l.metadata!.labels = { group }));
      await x.patchLease(first.metadata.name, { spec: { holderIdentity: "replayed" } });
      const second = await groupedLease(x, group);
      const stream = await openLeases(x, {
        labelSelector: `group=${group}`,
        resourceVersion: first.metadata.resourceVersion ?? "",
      });
      try {
        await stream.next("ADDED", second);
        expect(stream.summary()).toEqual([`MODIFIED ${first.metadata.name}`, `ADDED ${second}`]);
      } finally {
        stream.stop();
      }
    });

    specs.it("turns a relabelled object into DELETED and ADDED for a label-filtered watch", async () => {
      const x = h();
      const group = x.name("relabel");
      const name = await groupedLease(x, group, { watched: "yes" });
      const stream = await openLeases(x, { labelSelector: `group=${group},watched=yes` });
      try {
        await stream.next("ADDED", name);
        await x.patchLease(name, { metadata: { labels: { watched: "no" } } });
        await stream.next("DELETED", name);
        await x.patchLease(name, { metadata: { labels: { watched: "yes" } } });
        await stream.until(() => stream.events.length === 3 || undefined, "a second ADDED");
        expect(stream.summary()).toEqual([`ADDED ${name}`, `DELETED ${name}`, `ADDED ${name}`]);
      } finally {
        stream.stop();
      }
    });

    specs.it(
      "sends BOOKMARK events with a resourceVersion when asked to",
      async () => {
        const x = h();
        const group = x.name("bookmarks");
        await groupedLease(x, group);
        // A real API server bookmarks every minute, and 2 s before the watch times out.
        const stream = await openLeases(x, {
          labelSelector: `group=${group}`,
          allowWatchBookmarks: true,
          timeoutSeconds: 9,
        });
        try {
          const bookmark = await stream.until(
            () => stream.events.find((e) => e.type === "BOOKMARK"),
            "a BOOKMARK",
            8_500,
          );
          expect(bookmark.object.metadata?.resourceVersion).toMatch(/^\d+$/);
        } finally {
          stream.stop();
        }
      },
      15_000,
    );

    specs.it("answers a watch from a compacted resourceVersion with 410 Gone", async (context) => {
      const x = h();
      if (!x.target.compact) context.skip("the target cannot compact its watch history on demand");
      const old = await x.createLease();
      await x.patchLease(old.metadata.name, { spec: { holderIdentity: "newer" } });
      x.target.compact?.();
      const stream = await openLeases(x, { resourceVersion: old.metadata.resourceVersion ?? "" });
      try {
        // A real API server sends an ERROR event carrying the 410 Status; an HTTP 410 serves clients as well.
        const code = await stream.until(() => {
          const error = stream.events.find((e) => e.type === "ERROR")?.object as StatusBody | undefined;
          return error?.code ?? stream.ended?.error?.statusCode;
        }, "a 410");
        expect(code).toBe(410);
      } finally {
        stream.stop();
      }
    });

    specs.it("feeds an informer that lists, then sees adds, updates and deletes", async () => {
      const x = h();
      const group = x.name("informer");
      const listed = await groupedLease(x, group);
      const seen: string[] = [];
      const errors: unknown[] = [];
      const informer = makeInformer<V1Lease>(
        x.kubeconfig,
        x.leasePath(),
        () => x.coordination.listNamespacedLease({ namespace: x.ns, labelSelector: `group=${group}` }),
        `group=${group}`,
      );
      const record = (verb: string) => (object: V1Lease) => seen.push(`${verb} ${object.metadata?.name ?? ""}`);
      informer.on("add", record("add"));
      informer.on("update", record("update"));
      informer.on("delete", record("delete"));
      informer.on("error", (error: unknown) => errors.push(error));
      const saw = (entry: string): Promise<true> =>
        eventually(() => Promise.resolve(seen.includes(entry) || undefined), `the informer to see "${entry}"`, 5_000);
      // Not awaited yet: start() ends by opening the watch, whose answer (see above) may wait for an event.
      const started = informer.start();
      try {
        await saw(`add ${listed}`);
        const added = await groupedLease(x, group);
        await saw(`add ${added}`);
        await x.patchLease(added, { spec: { holderIdentity: "informed" } });
        await saw(`update ${added}`);
        await x.coordination.deleteNamespacedLease({ name: added, namespace: x.ns });
        await saw(`delete ${added}`);
        expect(informer.list(x.ns).map((object) => object.metadata?.name)).toEqual([listed]);
        expect(errors).toEqual([]);
        await started;
      } finally {
        await informer.stop();
      }
    });
  });
}
