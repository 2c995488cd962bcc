/**
 * Namespaces as the API server and kube-controller-manager's namespace controller handle them:
 * a new namespace is Active with the "kubernetes" finalizer in spec.finalizers; a deleted one is
 * Terminating while the controller deletes everything in it (pods gracefully, so pods on a dead
 * node keep it Terminating), and is removed once nothing is left. The NamespaceLifecycle
 * admission plugin refuses new objects in a terminating namespace (Events excepted here, so a
 * controller reporting on a dying object is not broken by it).
 *
 * The store keeps an object only for metadata.finalizers, so the twin holds a terminating
 * namespace with a metadata finalizer of its own as well.
 */
import { errors } from "../api/status.ts";
import type { ResourceType } from "../api/resources.ts";
import type { KubeObject } from "../api/types.ts";
import type { TwinRuntime } from "../runtime/runtime.ts";
import { ControllerBase } from "./shared/controller-base.ts";
import { isDeleting, nameOf } from "./shared/objects.ts";

export const NAMESPACE_FINALIZER = "twin.kubedrs.io/namespace-content";
const RECHECK_MS = 5000;

export class NamespaceController extends ControllerBase {
  readonly name = "namespace-controller";
  private readonly terminating = new Set<string>();

  constructor(runtime: TwinRuntime) {
    super(runtime, "namespace-controller");
    const { store, resources, registry } = runtime;
    store.admit(resources.namespaces, {
      create(namespace) {
        namespace.spec = { ...namespace.spec, finalizers: ["kubernetes"] };
        namespace.status = { ...namespace.status, phase: "Active" };
        namespace.metadata.finalizers = [...(namespace.metadata.finalizers ?? []), NAMESPACE_FINALIZER];
      },
    });
    for (const resource of registry.all) {
      if (!resource.namespaced || resource.virtual || resource === resources.events) continue;
      store.admit(resource, { create: (object) => this.refuseInTerminating(object) });
    }
    this.watch(resources.namespaces, (event) => {
      if (event.type !== "DELETED" && isDeleting(event.object)) this.startTermination(nameOf(event.object));
    });
    this.every(RECHECK_MS, () => {
      for (const namespace of [...this.terminating].sort()) this.sweep(namespace);
    });
  }

  private refuseInTerminating(object: KubeObject): void {
    const namespace = object.metadata.namespace ?? "default";
    const found = this.runtime.store.get(this.runtime.resources.namespaces, undefined, namespace);
    if (found && isDeleting(found)) {
      throw errors.forbidden(
        `${object.kind ?? "object"} "${nameOf(object)}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private startTermination(namespace: string): void {
    if (this.terminating.has(namespace)) return;
    this.terminating.add(namespace);
    this.mutateStatus(this.runtime.resources.namespaces, { name: namespace }, (draft) => {
      if (draft.status?.phase === "Terminating") return false;
      draft.status = { ...draft.status, phase: "Terminating" };
      return true;
    });
    this.after(0, () => this.sweep(namespace));
  }

  /** Deletes what is left in the namespace; removes the finalizer once nothing is. */
  private sweep(namespace: string): void {
    const { store, resources } = this.runtime;
    if (!store.get(resources.namespaces, undefined, namespace)) {
      this.terminating.delete(namespace);
      return;
    }
    let remaining = 0;
    for (const resource of this.namespacedResources()) {
      for (const object of store.list(resource, { namespace })) {
        remaining += 1;
        if (!isDeleting(object)) this.deleteObject(resource, object);
      }
    }
    if (remaining > 0) return;
    this.terminating.delete(namespace);
    this.mutate(resources.namespaces, { name: namespace }, (draft) => {
      draft.metadata.finalizers = (draft.metadata.finalizers ?? []).filter(
        (finalizer) => finalizer !== NAMESPACE_FINALIZER,
      );
      draft.spec = { ...draft.spec, finalizers: [] };
    });
  }

  private namespacedResources(): ResourceType[] {
    return this.runtime.registry.all.filter((resource) => resource.namespaced && !resource.virtual);
  }

  private deleteObject(resource: ResourceType, object: KubeObject): void {
    this.attempt(`${resource.kind} ${nameOf(object)}`, () =>
      this.runtime.store.delete(resource, object.metadata.namespace, nameOf(object), {
        actor: this.actor,
        preconditionUid: object.metadata.uid,
      }),
    );
  }
}
