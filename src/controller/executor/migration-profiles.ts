/**
 * MigrationProfiles made real: each becomes a KubeVirt MigrationPolicy that kubedrs owns (created,
 * updated, and deleted when its profile goes), and each VMI carries the kubedrs.io/migration-profile
 * label of the profile that governs it, which is what the rendered policy selects on. A label is only
 * written when it differs, and at most `maxLabelWrites` a round, so a first start on 30,000 VMs spreads
 * its writes over a few rounds instead of flooding the API server.
 */
import type { ApiClient } from "../../adapters/kube/client/api-client.ts";
import { KubeApiError } from "../../adapters/kube/client/api-client.ts";
import type { JsonObject } from "../../adapters/kube/convert/meta.ts";
import { isDeepStrictEqual } from "node:util";
import { KUBEDRS } from "../../core/model/kubedrs-labels.ts";
import type { SnapshotMigrationPolicy } from "../../core/model/snapshot.ts";
import { migrationProfileFor, renderMigrationPolicy } from "../../core/policy/profiles.ts";
import type { PolicySet } from "../../core/policy/policy-set.ts";
import type { ClusterCache } from "../cache/cluster-cache.ts";

const POLICIES_PATH = "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies";

export interface ProfileLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

interface Meta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
}

function metaOf(object: JsonObject): Meta {
  return object.metadata ?? {};
}

/** The KubeVirt object for a rendered profile (migrations.kubevirt.io/v1alpha1). */
export function migrationPolicyObject(rendered: SnapshotMigrationPolicy): JsonObject {
  const { name, labels, selectors, ...settings } = rendered;
  const spec: Record<string, unknown> = { selectors, ...settings };
  if (typeof settings.bandwidthPerMigration === "number")
    spec.bandwidthPerMigration = `${settings.bandwidthPerMigration}`;
  return { apiVersion: "migrations.kubevirt.io/v1alpha1", kind: "MigrationPolicy", metadata: { name, labels }, spec };
}

export class MigrationProfiles {
  private readonly api: ApiClient;
  private readonly cache: ClusterCache;
  private readonly log: ProfileLog;
  private readonly maxLabelWrites: number;

  constructor(options: { api: ApiClient; cache: ClusterCache; log: ProfileLog; maxLabelWrites?: number }) {
    this.api = options.api;
    this.cache = options.cache;
    this.log = options.log;
    this.maxLabelWrites = options.maxLabelWrites ?? 200;
  }

  async reconcile(policies: PolicySet): Promise<void> {
    await this.reconcilePolicies(policies);
    await this.labelVmis(policies);
  }

  private owned(): Map<string, JsonObject> {
    const owned = new Map<string, JsonObject>();
    for (const object of this.cache.list("migrationPolicies")) {
      const meta = metaOf(object);
      if (meta.labels?.[KUBEDRS.managedBy] === "kubedrs" && meta.name) owned.set(meta.name, object);
    }
    return owned;
  }

  private async reconcilePolicies(policies: PolicySet): Promise<void> {
    const owned = this.owned();
    for (const profile of policies.migrationProfiles) {
      const desired = migrationPolicyObject(renderMigrationPolicy(profile));
      const name = metaOf(desired).name ?? "";
      const current = owned.get(name);
      owned.delete(name);
      if (current === undefined) await this.write("create", name, () => this.api.create(POLICIES_PATH, desired));
      else if (
        !isDeepStrictEqual(current.spec, desired.spec) ||
        !isDeepStrictEqual(metaOf(current).labels, metaOf(desired).labels)
      ) {
        const replacement = {
          ...desired,
          metadata: { ...metaOf(desired), resourceVersion: metaOf(current).resourceVersion },
        };
        await this.write("update", name, () => this.api.replace(`${POLICIES_PATH}/${name}`, replacement));
      }
    }
    for (const name of owned.keys())
      await this.write("delete", name, () => this.api.delete(`${POLICIES_PATH}/${name}`));
  }

  private async write(action: string, name: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
      this.log.info({ migrationPolicy: name, action }, `MigrationPolicy ${action}d`);
    } catch (error) {
      // The next round retries: the cache will show whatever did or did not happen.
      if (!(error instanceof KubeApiError && error.status === 404)) {
        this.log.warn({ migrationPolicy: name, action, err: (error as Error).message }, "MigrationPolicy write failed");
      }
    }
  }

  private async labelVmis(policies: PolicySet): Promise<void> {
    let writes = 0;
    for (const vmi of this.cache.list("vmis")) {
      if (writes >= this.maxLabelWrites) return;
      const meta = metaOf(vmi);
      const labels = meta.labels ?? {};
      const wanted = migrationProfileFor(policies.migrationProfiles, meta.namespace ?? "", labels)?.metadata.name;
      if (labels[KUBEDRS.migrationProfile] === wanted) continue;
      writes += 1;
      const path = `/apis/kubevirt.io/v1/namespaces/${meta.namespace ?? ""}/virtualmachineinstances/${meta.name ?? ""}`;
      await this.api
        .patch(path, { metadata: { labels: { [KUBEDRS.migrationProfile]: wanted ?? null } } })
        .catch((error: unknown) =>
          this.log.warn(
            { vmi: `${meta.namespace}/${meta.name}`, err: (error as Error).message },
            "could not label the VMI",
          ),
        );
    }
  }
}
