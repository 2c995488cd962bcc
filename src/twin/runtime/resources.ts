/** Typed handles on the registry's resources, so controllers name them without string lookups. */
import type { ResourceRegistry, ResourceType } from "../api/resources.ts";

export interface Resources {
  readonly namespaces: ResourceType;
  readonly nodes: ResourceType;
  readonly pods: ResourceType;
  readonly events: ResourceType;
  readonly leases: ResourceType;
  readonly podDisruptionBudgets: ResourceType;
  readonly virtualMachines: ResourceType;
  readonly virtualMachineInstances: ResourceType;
  readonly migrations: ResourceType;
  readonly kubevirts: ResourceType;
  readonly migrationPolicies: ResourceType;
  readonly nodeMaintenances: ResourceType;
  readonly fenceAgentsRemediations: ResourceType;
  readonly fenceAgentsRemediationTemplates: ResourceType;
  readonly selfNodeRemediations: ResourceType;
  readonly nodeMetrics: ResourceType;
  readonly podMetrics: ResourceType;
  readonly serviceAccounts: ResourceType;
}

export function resourcesOf(registry: ResourceRegistry): Resources {
  const find = (group: string, version: string, plural: string): ResourceType => {
    const found = registry.find(group, version, plural);
    if (!found) throw new Error(`the registry has no ${group}/${version}/${plural}`);
    return found;
  };
  return {
    namespaces: find("", "v1", "namespaces"),
    nodes: find("", "v1", "nodes"),
    pods: find("", "v1", "pods"),
    events: find("", "v1", "events"),
    leases: find("coordination.k8s.io", "v1", "leases"),
    podDisruptionBudgets: find("policy", "v1", "poddisruptionbudgets"),
    virtualMachines: find("kubevirt.io", "v1", "virtualmachines"),
    virtualMachineInstances: find("kubevirt.io", "v1", "virtualmachineinstances"),
    migrations: find("kubevirt.io", "v1", "virtualmachineinstancemigrations"),
    kubevirts: find("kubevirt.io", "v1", "kubevirts"),
    migrationPolicies: find("migrations.kubevirt.io", "v1alpha1", "migrationpolicies"),
    nodeMaintenances: find("nodemaintenance.medik8s.io", "v1beta1", "nodemaintenances"),
    fenceAgentsRemediations: find("fence-agents-remediation.medik8s.io", "v1alpha1", "fenceagentsremediations"),
    fenceAgentsRemediationTemplates: find(
      "fence-agents-remediation.medik8s.io",
      "v1alpha1",
      "fenceagentsremediationtemplates",
    ),
    selfNodeRemediations: find("self-node-remediation.medik8s.io", "v1alpha1", "selfnoderemediations"),
    nodeMetrics: find("metrics.k8s.io", "v1beta1", "nodes"),
    podMetrics: find("metrics.k8s.io", "v1beta1", "pods"),
    serviceAccounts: find("", "v1", "serviceaccounts"),
  };
}
