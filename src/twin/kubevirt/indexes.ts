/**
 * The informer indexes KubeVirt's controllers use, kept up to date from store events: pods by the
 * VMI that controls them, migrations by VMI, VMIs by node. Controllers read objects from the store;
 * the indexes only say which keys to read.
 */
import type { KubeObject } from "../api/types.ts";
import type { Resources } from "../runtime/resources.ts";
import type { ObjectStore, StoreEvent } from "../store/store.ts";
import { controllerUid, keyOf, splitKey, textAt } from "./fields.ts";

class MultiIndex {
  private readonly byValue = new Map<string, Set<string>>();
  private readonly valueOf = new Map<string, string>();

  set(key: string, value: string | undefined): void {
    const previous = this.valueOf.get(key);
    if (previous === value) return;
    if (previous !== undefined) this.byValue.get(previous)?.delete(key);
    if (value === undefined) {
      this.valueOf.delete(key);
      return;
    }
    this.valueOf.set(key, value);
    let keys = this.byValue.get(value);
    if (!keys) {
      keys = new Set();
      this.byValue.set(value, keys);
    }
    keys.add(key);
  }

  keys(value: string): string[] {
    return [...(this.byValue.get(value) ?? [])].sort();
  }
}

export class KubeVirtIndexes {
  private readonly podsByVmiUid = new MultiIndex();
  private readonly migrationsByVmi = new MultiIndex();
  private readonly vmisByNode = new MultiIndex();
  private readonly store: ObjectStore;
  private readonly resources: Resources;
  private readonly unsubscribe: (() => void)[] = [];
  /** The resourceVersion each object was created at: creation order finer than creationTimestamp's seconds. */
  private readonly createdAt = new Map<string, number>();

  constructor(store: ObjectStore, resources: Resources) {
    this.store = store;
    this.resources = resources;
    this.track(resources.pods, (pod) => controllerUid(pod, "VirtualMachineInstance"), this.podsByVmiUid);
    this.track(resources.migrations, migrationVmiKey, this.migrationsByVmi);
    this.track(
      resources.virtualMachineInstances,
      (vmi) => textAt(vmi, "status", "nodeName") || undefined,
      this.vmisByNode,
    );
  }

  private track(
    resource: Resources[keyof Resources],
    valueOf: (object: KubeObject) => string | undefined,
    index: MultiIndex,
  ): void {
    for (const object of this.store.list(resource)) {
      index.set(keyOf(object), valueOf(object));
      this.createdAt.set(object.metadata.uid ?? "", Number(object.metadata.resourceVersion ?? 0));
    }
    const listener = (event: StoreEvent): void => {
      const uid = event.object.metadata.uid ?? "";
      if (event.type === "ADDED") this.createdAt.set(uid, Number(event.object.metadata.resourceVersion ?? 0));
      if (event.type === "DELETED") this.createdAt.delete(uid);
      index.set(keyOf(event.object), event.type === "DELETED" ? undefined : valueOf(event.object));
    };
    this.unsubscribe.push(this.store.subscribe(resource, listener));
  }

  /** Orders objects by creation: timestamp, then the order the store created them in. */
  creationOrder = (a: KubeObject, b: KubeObject): number => {
    const at = a.metadata.creationTimestamp ?? "";
    const bt = b.metadata.creationTimestamp ?? "";
    if (at !== bt) return at < bt ? -1 : 1;
    return (this.createdAt.get(a.metadata.uid ?? "") ?? 0) - (this.createdAt.get(b.metadata.uid ?? "") ?? 0);
  };

  /** Pods whose controller is the VMI with this uid, sorted by key. */
  podsOf(vmiUid: string): KubeObject[] {
    return this.read(this.resources.pods, this.podsByVmiUid.keys(vmiUid));
  }

  /** Migrations whose spec.vmiName is this VMI (namespace/name). */
  migrationsOf(vmiKey: string): KubeObject[] {
    return this.read(this.resources.migrations, this.migrationsByVmi.keys(vmiKey));
  }

  /** VMIs whose status.nodeName is the node. */
  vmisOn(node: string): KubeObject[] {
    return this.read(this.resources.virtualMachineInstances, this.vmisByNode.keys(node));
  }

  private read(resource: Resources[keyof Resources], keys: readonly string[]): KubeObject[] {
    const objects: KubeObject[] = [];
    for (const key of keys) {
      const { namespace, name } = splitKey(key);
      const object = this.store.get(resource, namespace, name);
      if (object) objects.push(object);
    }
    return objects;
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }
}

function migrationVmiKey(migration: KubeObject): string | undefined {
  const vmiName = textAt(migration, "spec", "vmiName");
  return vmiName ? `${migration.metadata.namespace ?? ""}/${vmiName}` : undefined;
}
