/**
 * The tenants of the synthetic cluster: namespaces with the labels MigrationPolicies and rules
 * select on, the apps that run in each, and how much of the fleet each holds.
 */

export interface Tenant {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly apps: readonly string[];
  readonly share: number;
}

function tenant(name: string, labels: Record<string, string>, apps: string[], share: number): Tenant {
  return { name, labels: { "kubernetes.io/metadata.name": name, ...labels }, apps, share };
}

export const TENANTS: readonly Tenant[] = [
  tenant("analytics", { env: "prod", team: "data" }, ["etl", "notebook", "spark-worker"], 0.14),
  tenant("ci-runners", { env: "dev", team: "platform" }, ["build-cache", "gitlab-runner"], 0.12),
  tenant("dev-sandbox", { env: "dev", team: "eng" }, ["devbox", "scratch"], 0.14),
  tenant("infra", { env: "prod", team: "platform" }, ["bastion", "dns", "ldap", "monitoring"], 0.1),
  tenant("legacy-erp", { env: "prod", team: "finance" }, ["erp-app", "erp-batch", "erp-report"], 0.07),
  tenant("ml-training", { env: "prod", team: "ml" }, ["inference", "trainer"], 0.06),
  tenant("prod-db", { env: "prod", team: "data", tier: "database" }, ["mysql", "postgres", "redis"], 0.12),
  tenant("prod-web", { env: "prod", team: "web" }, ["api", "frontend", "worker"], 0.25),
];

export function tenantNamed(name: string): Tenant {
  const found = TENANTS.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no synthetic tenant named ${name}`);
  return found;
}
