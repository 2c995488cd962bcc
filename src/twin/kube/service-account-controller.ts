/**
 * kube-controller-manager's serviceaccount controller: every active namespace has a
 * ServiceAccount named default, created with the namespace and again if it is deleted. Clients
 * that know real clusters wait for it before they create pods in a new namespace.
 */
import type { TwinRuntime } from "../runtime/runtime.ts";
import { ControllerBase } from "./shared/controller-base.ts";
import { isDeleting, nameOf } from "./shared/objects.ts";

const DEFAULT_ACCOUNT = "default";

export class ServiceAccountController extends ControllerBase {
  readonly name = "serviceaccount-controller";

  constructor(runtime: TwinRuntime) {
    super(runtime, "serviceaccount-controller");
    const { store, resources } = runtime;
    this.watch(resources.namespaces, (event) => {
      if (event.type === "ADDED") this.ensureDefault(nameOf(event.object));
    });
    this.watch(resources.serviceAccounts, (event) => {
      const { namespace } = event.object.metadata;
      if (event.type === "DELETED" && nameOf(event.object) === DEFAULT_ACCOUNT && namespace) {
        this.ensureDefault(namespace);
      }
    });
    for (const namespace of store.list(resources.namespaces)) this.ensureDefault(nameOf(namespace));
  }

  private ensureDefault(namespace: string): void {
    const { store, resources } = this.runtime;
    const found = store.get(resources.namespaces, undefined, namespace);
    if (!found || isDeleting(found)) return;
    if (store.get(resources.serviceAccounts, namespace, DEFAULT_ACCOUNT)) return;
    this.attempt(`ServiceAccount ${namespace}/${DEFAULT_ACCOUNT}`, () =>
      store.create(
        resources.serviceAccounts,
        { metadata: { name: DEFAULT_ACCOUNT, namespace } },
        { actor: this.actor },
      ),
    );
  }
}
