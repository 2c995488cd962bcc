/**
 * The contract suite's view of one cluster: the clients, a namespace of its own, unique names, the
 * objects tests start from, and a record of what each test created so that it can be removed again.
 */
import { randomBytes } from "node:crypto";
import {
  ApisApi,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type V1Lease,
  type V1Node,
  type V1Pod,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { type RawRequest, type RawResponse, eventually, rawRequest } from "./client.ts";
import { type CustomObject, lease, namespace, node, pod, virtualMachine } from "./fixtures.ts";

/** What a target hands the suite: a kubeconfig, and for a twin a way to compact the watch history. */
export interface ContractTarget {
  readonly kubeconfig: KubeConfig;
  /** Drops the watch history, as etcd compaction does; a real cluster cannot do this on demand. */
  readonly compact?: () => void;
  readonly cleanup: () => Promise<void>;
}

/** `/api/v1/...` or `/apis/{group}/{version}/...` for a resource, a namespace, a name and a subresource. */
export function resourcePath(
  apiVersion: string,
  plural: string,
  where: { namespace?: string | undefined; name?: string | undefined; subresource?: string | undefined } = {},
): string {
  const root = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const scope = where.namespace ? `/namespaces/${where.namespace}` : "";
  const name = where.name ? `/${where.name}` : "";
  const subresource = where.subresource ? `/${where.subresource}` : "";
  return `${root}${scope}/${plural}${name}${subresource}`;
}

export const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
export const JSON_PATCH = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);
export const STRATEGIC_MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);

export class Harness {
  readonly target: ContractTarget;
  readonly kubeconfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;
  readonly custom: CustomObjectsApi;
  readonly apis: ApisApi;
  readonly objects: KubernetesObjectApi;
  /** The namespace this run works in. */
  readonly ns: string;
  /** Makes cluster-scoped names unique to this run. */
  readonly run: string;
  private counter = 0;
  private readonly created: string[] = [];

  private constructor(target: ContractTarget) {
    this.target = target;
    this.kubeconfig = target.kubeconfig;
    this.core = target.kubeconfig.makeApiClient(CoreV1Api);
    this.coordination = target.kubeconfig.makeApiClient(CoordinationV1Api);
    this.custom = target.kubeconfig.makeApiClient(CustomObjectsApi);
    this.apis = target.kubeconfig.makeApiClient(ApisApi);
    this.objects = KubernetesObjectApi.makeApiClient(target.kubeconfig);
    this.run = randomBytes(3).toString("hex");
    this.ns = `kubedrs-contract-${this.run}`;
  }

  static async open(target: ContractTarget): Promise<Harness> {
    const harness = new Harness(target);
    await harness.core.createNamespace({ body: namespace(harness.ns) });
    await harness.serviceAccountReady();
    return harness;
  }

  /**
   * A real cluster admits pods only once the namespace's default ServiceAccount exists, which the
   * token controller creates a moment after the namespace. A server without ServiceAccounts (the
   * twin) has nothing to wait for.
   */
  private async serviceAccountReady(): Promise<void> {
    const core = await this.core.getAPIResources();
    if (!core.resources.some((resource) => resource.name === "serviceaccounts")) return;
    const path = resourcePath("v1", "serviceaccounts", { namespace: this.ns, name: "default" });
    await eventually(
      async () => ((await this.raw("GET", path)).status === 200 ? true : undefined),
      "the default ServiceAccount",
    );
  }

  /** A name no other test of this run uses: `base-N`, or `base-N-RUN` for cluster-scoped objects. */
  name(base: string, clusterScoped = false): string {
    this.counter += 1;
    return clusterScoped ? `${base}-${this.counter}-${this.run}` : `${base}-${this.counter}`;
  }

  raw(method: string, path: string, options?: RawRequest): Promise<RawResponse> {
    return rawRequest(this.kubeconfig, method, path, options);
  }

  /** Remembers an object (by its API path) to remove after the test; returns the path. */
  track(path: string): string {
    this.created.push(path);
    return path;
  }

  /** Removes what the test created, newest first: finalizers, then a delete without grace. */
  async removeTracked(): Promise<void> {
    for (const path of this.created.splice(0).reverse()) {
      await this.raw("PATCH", path, {
        body: { metadata: { finalizers: null } },
        contentType: PatchStrategy.MergePatch,
      });
      await this.raw("DELETE", `${path}?gracePeriodSeconds=0`);
    }
  }

  async close(): Promise<void> {
    try {
      await this.removeTracked();
      await this.raw("DELETE", resourcePath("v1", "namespaces", { name: this.ns }));
    } finally {
      await this.target.cleanup();
    }
  }

  leasePath(name?: string): string {
    return resourcePath("coordination.k8s.io/v1", "leases", { namespace: this.ns, name });
  }

  podPath(name?: string, subresource?: string): string {
    return resourcePath("v1", "pods", { namespace: this.ns, name, subresource });
  }

  vmPath(name?: string, subresource?: string): string {
    return resourcePath("kubevirt.io/v1", "virtualmachines", { namespace: this.ns, name, subresource });
  }

  async createLease(apply?: (object: V1Lease) => void): Promise<V1Lease & { metadata: { name: string } }> {
    const body = lease(this.name("lease"), this.ns, apply);
    this.track(this.leasePath(body.metadata?.name));
    const created = await this.coordination.createNamespacedLease({ namespace: this.ns, body });
    return { ...created, metadata: { ...created.metadata, name: created.metadata?.name ?? "" } };
  }

  /** A node no kubelet reports for; returns its name. */
  async createNode(apply?: (object: V1Node) => void): Promise<string> {
    const body = node(this.name("node", true), apply);
    const name = body.metadata?.name ?? "";
    this.track(resourcePath("v1", "nodes", { name }));
    await this.core.createNode({ body });
    return name;
  }

  /** A pod no scheduler binds; returns its name. */
  async createPod(apply?: (object: V1Pod) => void): Promise<string> {
    const body = pod(this.name("pod"), this.ns, apply);
    const name = body.metadata?.name ?? "";
    this.track(this.podPath(name));
    await this.core.createNamespacedPod({ namespace: this.ns, body });
    return name;
  }

  /** A pod bound to a fresh node through spec.nodeName; returns its name. */
  async createBoundPod(): Promise<string> {
    const nodeName = await this.createNode();
    return this.createPod((object) => (object.spec!.nodeName = nodeName));
  }

  async createVm(apply?: (object: CustomObject) => void): Promise<CustomObject> {
    const body = virtualMachine(this.name("vm"), this.ns, apply);
    this.track(this.vmPath(body.metadata.name));
    const created: unknown = await this.custom.createNamespacedCustomObject({
      group: "kubevirt.io",
      version: "v1",
      namespace: this.ns,
      plural: "virtualmachines",
      body,
    });
    return created as CustomObject;
  }

  /** Merge-patches a lease (labels, spec) and returns the result. */
  patchLease(name: string, body: object): Promise<V1Lease> {
    return this.coordination.patchNamespacedLease({ name, namespace: this.ns, body }, MERGE_PATCH);
  }
}
