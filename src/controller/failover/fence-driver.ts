/**
 * Carries out and observes a fencing step. FenceAgents: a medik8s FenceAgentsRemediation named
 * after the node, made from the policy's FenceAgentsRemediationTemplate, confirmed only by its
 * Succeeded=True condition (the BMC acknowledged the power action). External: another system sets
 * the policy's annotation on the node. None: nothing to do (the policy acknowledged it is unsafe).
 * SelfNodeRemediation is not driven yet: its step never confirms, so it escalates on its timeout.
 */
import type { ApiClient } from "../../adapters/kube/client/api-client.ts";
import { KubeApiError } from "../../adapters/kube/client/api-client.ts";
import type { FenceStep } from "../../core/policy/kinds/failover-policy.ts";

const FAR_GROUP = "/apis/fence-agents-remediation.medik8s.io/v1alpha1";

interface Named {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { template?: { spec?: unknown } };
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
}

export interface StepOutcome {
  readonly confirmed: boolean;
  readonly failed: boolean;
  readonly detail: string;
}

async function farTemplate(api: ApiClient, name: string): Promise<Named | undefined> {
  const list = (await api.get(`${FAR_GROUP}/fenceagentsremediationtemplates`)) as { items?: Named[] };
  return (list.items ?? []).find((item) => item.metadata?.name === name);
}

/** Starts the step for the node; returns what was done, in words, or throws with why it could not. */
export async function startFenceStep(api: ApiClient, step: FenceStep, node: string): Promise<string> {
  if (step.type !== "FenceAgents") return `${step.type}: nothing to create`;
  const template = await farTemplate(api, step.template);
  const namespace = template?.metadata?.namespace;
  if (!template || namespace === undefined) throw new Error(`no FenceAgentsRemediationTemplate named ${step.template}`);
  const body = {
    apiVersion: "fence-agents-remediation.medik8s.io/v1alpha1",
    kind: "FenceAgentsRemediation",
    metadata: { name: node, namespace, labels: { "app.kubernetes.io/managed-by": "kubedrs" } },
    spec: template.spec?.template?.spec ?? {},
  };
  try {
    await api.create(`${FAR_GROUP}/namespaces/${namespace}/fenceagentsremediations`, body);
  } catch (error) {
    // Created by an earlier round (or kubedrs before a restart): follow that one.
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
  }
  return `FenceAgentsRemediation ${namespace}/${node} from template ${step.template}`;
}

async function farOutcome(api: ApiClient, template: string, node: string): Promise<StepOutcome> {
  const namespace = (await farTemplate(api, template))?.metadata?.namespace;
  if (namespace === undefined) return { confirmed: false, failed: true, detail: `no template ${template}` };
  const far = (await api
    .get(`${FAR_GROUP}/namespaces/${namespace}/fenceagentsremediations/${node}`)
    .catch(() => undefined)) as Named | undefined;
  const succeeded = far?.status?.conditions?.find((condition) => condition.type === "Succeeded");
  const detail = succeeded ? `Succeeded=${succeeded.status ?? "?"} (${succeeded.reason ?? ""})` : "no verdict yet";
  return { confirmed: succeeded?.status === "True", failed: succeeded?.status === "False", detail };
}

/** What the step has achieved so far. */
export async function observeFenceStep(
  api: ApiClient,
  step: FenceStep,
  node: { readonly name: string; readonly annotations: Readonly<Record<string, string>> },
): Promise<StepOutcome> {
  if (step.type === "FenceAgents") return farOutcome(api, step.template, node.name);
  if (step.type === "External") {
    const value = node.annotations[step.annotation];
    return {
      confirmed: value === "true",
      failed: false,
      detail: `annotation ${step.annotation}=${value ?? "(unset)"}`,
    };
  }
  if (step.type === "None") return { confirmed: true, failed: false, detail: "no fencing (acknowledged unsafe)" };
  return { confirmed: false, failed: false, detail: "SelfNodeRemediation is not driven by kubedrs yet" };
}
