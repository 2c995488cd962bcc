/**
 * The controller's view of the cluster: one reflector per resource the snapshot is built from.
 * `objects(now)` hands their contents to the snapshot converters; nothing here interprets them.
 */
import type { ApiClient } from "../../adapters/kube/client/api-client.ts";
import { Reflector, type WatchNotice } from "../../adapters/kube/client/reflector.ts";
import type { JsonObject } from "../../adapters/kube/convert/meta.ts";
import type { KubeObjects } from "../../adapters/kube/convert/snapshot.ts";
import { trimObject, trimPod } from "./trim.ts";

interface Source {
  readonly path: string;
  readonly labelSelector?: string;
  readonly trim?: (object: JsonObject) => JsonObject;
  /** A CRD that may not be installed (medik8s). */
  readonly optional?: boolean;
}

const SOURCES = {
  nodes: { path: "/api/v1/nodes" },
  pods: { path: "/api/v1/pods", labelSelector: "kubevirt.io=virt-launcher", trim: trimPod },
  namespaces: { path: "/api/v1/namespaces" },
  leases: { path: "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases" },
  vmis: { path: "/apis/kubevirt.io/v1/virtualmachineinstances" },
  vms: { path: "/apis/kubevirt.io/v1/virtualmachines" },
  vmims: { path: "/apis/kubevirt.io/v1/virtualmachineinstancemigrations" },
  kubevirts: { path: "/apis/kubevirt.io/v1/kubevirts" },
  migrationPolicies: { path: "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies" },
  nodeMaintenances: { path: "/apis/nodemaintenance.medik8s.io/v1beta1/nodemaintenances", optional: true },
} as const satisfies Record<string, Source>;

export type CachedResource = keyof typeof SOURCES;

export interface CacheLog {
  warn(object: object, message: string): void;
  debug(object: object, message: string): void;
}

/** Failures are worth a warning; lists, resumed watches and 410s are routine. */
function logNotice(log: CacheLog, notice: WatchNotice): void {
  const failed = notice.event === "list-failed" || notice.event === "watch-failed";
  log[failed ? "warn" : "debug"]({ resource: notice.resource, retryInMs: notice.retryInMs }, notice.message);
}

export interface ClusterCacheOptions {
  readonly api: ApiClient;
  readonly log: CacheLog;
  readonly resyncMs?: number;
  /** Told when a resource's contents change (a list, or a watch event). */
  readonly onChange?: (resource: CachedResource) => void;
}

export class ClusterCache {
  private readonly reflectors: Record<CachedResource, Reflector>;

  constructor(options: ClusterCacheOptions) {
    const entries = (Object.entries(SOURCES) as [CachedResource, Source][]).map(([name, source]) => {
      const reflector = new Reflector({
        api: options.api,
        path: source.path,
        onNotice: (notice) => logNotice(options.log, notice),
        ...(options.onChange && { onChange: () => options.onChange?.(name) }),
        trim: source.trim ?? trimObject,
        ...(source.labelSelector !== undefined && { labelSelector: source.labelSelector }),
        ...(source.optional === true && { optional: true }),
        ...(options.resyncMs !== undefined && { resyncMs: options.resyncMs }),
      });
      return [name, reflector] as const;
    });
    this.reflectors = Object.fromEntries(entries) as Record<CachedResource, Reflector>;
  }

  /** Lists and watches everything; resolves once all are listed, or with "tried" once every first list was tried. */
  async start(until: "synced" | "tried" = "synced"): Promise<void> {
    await Promise.all(Object.values(this.reflectors).map((reflector) => reflector.start(until)));
  }

  stop(): void {
    for (const reflector of Object.values(this.reflectors)) reflector.stop();
  }

  /** The resources whose first list is still outstanding; empty once the cache can be planned from. */
  unsynced(): CachedResource[] {
    return (Object.keys(this.reflectors) as CachedResource[]).filter((name) => !this.reflectors[name].synced);
  }

  /** Why each resource not yet listed could not be: "vmis: 403 Forbidden: …". */
  failures(): string[] {
    return this.unsynced().map((name) => `${name}: ${this.reflectors[name].failure ?? "not listed yet"}`);
  }

  list(resource: CachedResource): JsonObject[] {
    return this.reflectors[resource].list();
  }

  get(resource: CachedResource, key: string): JsonObject | undefined {
    return this.reflectors[resource].get(key);
  }

  size(resource: CachedResource): number {
    return this.reflectors[resource].size();
  }

  /** Everything the snapshot converters read, as of `takenAt`. */
  objects(takenAt: string, name: string): KubeObjects {
    const kubevirt = this.list("kubevirts")[0];
    return {
      takenAt,
      name,
      nodes: this.list("nodes"),
      pods: this.list("pods"),
      namespaces: this.list("namespaces"),
      leases: this.list("leases"),
      vmis: this.list("vmis"),
      vms: this.list("vms"),
      vmims: this.list("vmims"),
      migrationPolicies: this.list("migrationPolicies"),
      nodeMaintenances: this.list("nodeMaintenances"),
      ...(kubevirt !== undefined && { kubevirt }),
    };
  }
}
