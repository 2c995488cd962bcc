/**
 * kube-controller-manager's garbage collector (pkg/controller/garbagecollector), background
 * cascading deletion: when an owner is gone, each dependent that names it in ownerReferences is
 * deleted, unless another of its owners still exists, in which case only the dangling reference
 * is dropped. An owner deleted with propagationPolicy Orphan (the store marks it with
 * ORPHAN_ANNOTATION) leaves its dependents in place, minus the reference. A dependent created
 * with an owner that does not exist is collected as well, as the real collector does after its
 * live lookup. Foreground deletion is treated as background: the owner goes first.
 */
import type { ResourceType } from "../api/resources.ts";
import type { KubeObject, OwnerReference } from "../api/types.ts";
import type { TwinRuntime } from "../runtime/runtime.ts";
import { ORPHAN_ANNOTATION, type StoreEvent } from "../store/store.ts";
import { ControllerBase } from "./shared/controller-base.ts";
import { isDeleting, nameOf } from "./shared/objects.ts";

interface Location {
  readonly resource: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string;
}

export class GarbageCollector extends ControllerBase {
  readonly name = "garbage-collector";
  /** Every object that exists, by UID: owners are looked up here. */
  private readonly live = new Map<string, Location>();
  /** Owner UID → the UIDs of objects that name it. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly ownersOf = new Map<string, readonly string[]>();

  constructor(runtime: TwinRuntime) {
    super(runtime, "garbage-collector");
    for (const resource of runtime.registry.all) {
      if (resource.virtual) continue;
      for (const object of runtime.store.list(resource)) this.track(resource, object);
    }
    this.watch(undefined, (event) => this.onEvent(event));
  }

  private onEvent(event: StoreEvent): void {
    const uid = event.object.metadata.uid;
    if (!uid) return;
    if (event.type !== "DELETED") {
      const isNew = !this.live.has(uid);
      this.track(event.resource, event.object);
      if (isNew && (event.object.metadata.ownerReferences ?? []).length > 0)
        this.after(0, () => this.attemptToDelete(uid));
      return;
    }
    this.untrack(uid);
    this.ownerGone(uid, event.object);
  }

  private track(resource: ResourceType, object: KubeObject): void {
    const uid = object.metadata.uid;
    if (!uid) return;
    this.live.set(uid, { resource, namespace: object.metadata.namespace, name: nameOf(object) });
    const owners = (object.metadata.ownerReferences ?? []).map((owner) => owner.uid);
    const previous = this.ownersOf.get(uid) ?? [];
    if (previous.length === owners.length && previous.every((owner, index) => owner === owners[index])) return;
    for (const owner of previous) this.dependents.get(owner)?.delete(uid);
    for (const owner of owners) {
      const set = this.dependents.get(owner) ?? new Set<string>();
      set.add(uid);
      this.dependents.set(owner, set);
    }
    if (owners.length > 0) this.ownersOf.set(uid, owners);
    else this.ownersOf.delete(uid);
  }

  private untrack(uid: string): void {
    this.live.delete(uid);
    for (const owner of this.ownersOf.get(uid) ?? []) this.dependents.get(owner)?.delete(uid);
    this.ownersOf.delete(uid);
  }

  private ownerGone(owner: string, object: KubeObject): void {
    const dependents = [...(this.dependents.get(owner) ?? [])].sort();
    this.dependents.delete(owner);
    const orphan = object.metadata.annotations?.[ORPHAN_ANNOTATION] !== undefined;
    for (const dependent of dependents) {
      if (orphan) this.dropReferences(dependent, (reference) => reference.uid === owner);
      else this.attemptToDelete(dependent);
    }
  }

  /** Deletes the dependent when none of its owners exists; otherwise drops the dangling references. */
  private attemptToDelete(uid: string): void {
    const location = this.live.get(uid);
    const object = location && this.runtime.store.get(location.resource, location.namespace, location.name);
    if (!location || !object || object.metadata.uid !== uid) return;
    const references = object.metadata.ownerReferences ?? [];
    const dangling = references.filter((reference) => !this.live.has(reference.uid));
    if (dangling.length === 0) return;
    if (dangling.length < references.length) {
      this.dropReferences(uid, (reference) => !this.live.has(reference.uid));
      return;
    }
    if (isDeleting(object)) return;
    this.attempt(`${location.resource.kind} ${location.name}`, () =>
      this.runtime.store.delete(location.resource, location.namespace, location.name, {
        actor: this.actor,
        preconditionUid: uid,
        propagationPolicy: "Background",
      }),
    );
  }

  private dropReferences(uid: string, drop: (reference: OwnerReference) => boolean): void {
    const location = this.live.get(uid);
    if (!location) return;
    this.mutate(location.resource, location, (draft) => {
      const references = draft.metadata.ownerReferences ?? [];
      const kept = references.filter((reference) => !drop(reference));
      if (kept.length === references.length) return false;
      if (kept.length === 0) delete draft.metadata.ownerReferences;
      else draft.metadata.ownerReferences = kept;
      return true;
    });
  }
}
