/**
 * Carries out and observes a fencing step. FenceAgents and SelfNodeRemediation: a medik8s
 * remediation named after the node, made from the policy's template as NodeHealthCheck would make
 * it, and confirmed only by its Succeeded=True condition (FenceAgentsRemediation: the BMC
 * acknowledged the power action; SelfNodeRemediation: its safe time passed and the node's
 * workloads were removed, and the core waits the policy's safeTime on top). External: another
 * system sets the policy's annotation on the node. None: nothing to do (the policy acknowledged it
 * is unsafe).
 */
import type { ApiClient } from "../../adapters/kube/client/api-client.ts";
import { KubeApiError } from "../../adapters/kube/client/api-client.ts";
import type { FenceStep } from "../../core/policy/kinds/failover-policy.ts";

/** A medik8s remediation kind and where its objects and templates are served. */
interface RemediationKind {
  readonly kind: string;
  readonly group: string;
  readonly plural: string;
  readonly templates: string;
}

export const REMEDIATIONS = {
  FenceAgents: {
    kind: "FenceAgentsRemediation",
    group: "fence-agents-remediation.medik8s.io/v1alpha1",
    plural: "fenceagentsremediations",
    templates: "fenceagentsremediationtemplates",
  },
  SelfNodeRemediation: {
    kind: "SelfNodeRemediation",
    group: "self-node-remediation.medik8s.io/v1alpha1",
    plural: "selfnoderemediations",
    templates: "selfnoderemediationtemplates",
  },
} as const satisfies Record<string, RemediationKind>;

type TemplateStep = Extract<FenceStep, { type: keyof typeof REMEDIATIONS }>;

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

function isTemplateStep(step: FenceStep): step is TemplateStep {
  return step.type in REMEDIATIONS;
}

async function templateOf(api: ApiClient, step: TemplateStep): Promise<Named | undefined> {
  const { group, templates } = REMEDIATIONS[step.type];
  const list = (await api.get(`/apis/${group}/${templates}`)) as { items?: Named[] };
  return (list.items ?? []).find((item) => item.metadata?.name === step.template);
}

/** Starts the step for the node; returns what was done, in words, or throws with why it could not. */
export async function startFenceStep(api: ApiClient, step: FenceStep, node: string): Promise<string> {
  if (!isTemplateStep(step)) return `${step.type}: nothing to create`;
  const { kind, group, plural } = REMEDIATIONS[step.type];
  const template = await templateOf(api, step);
  const namespace = template?.metadata?.namespace;
  if (!template || namespace === undefined) throw new Error(`no ${kind}Template named ${step.template}`);
  const body = {
    apiVersion: group,
    kind,
    metadata: { name: node, namespace, labels: { "app.kubernetes.io/managed-by": "kubedrs" } },
    spec: template.spec?.template?.spec ?? {},
  };
  try {
    await api.create(`/apis/${group}/namespaces/${namespace}/${plural}`, body);
  } catch (error) {
    // Created by an earlier round (or kubedrs before a restart): follow that one.
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
  }
  return `${kind} ${namespace}/${node} from template ${step.template}`;
}

async function remediationOutcome(api: ApiClient, step: TemplateStep, node: string): Promise<StepOutcome> {
  const { group, plural } = REMEDIATIONS[step.type];
  const namespace = (await templateOf(api, step))?.metadata?.namespace;
  if (namespace === undefined) return { confirmed: false, failed: true, detail: `no template ${step.template}` };
  const remediation = (await api
    .get(`/apis/${group}/namespaces/${namespace}/${plural}/${node}`)
    .catch(() => undefined)) as Named | undefined;
  const succeeded = remediation?.status?.conditions?.find((condition) => condition.type === "Succeeded");
  const detail = succeeded ? `Succeeded=${succeeded.status ?? "?"} (${succeeded.reason ?? ""})` : "no verdict yet";
  return { confirmed: succeeded?.status === "True", failed: succeeded?.status === "False", detail };
}

/** What the step has achieved so far. */
export async function observeFenceStep(
  api: ApiClient,
  step: FenceStep,
  node: { readonly name: string; readonly annotations: Readonly<Record<string, string>> },
): Promise<StepOutcome> {
  if (isTemplateStep(step)) return remediationOutcome(api, step, node.name);
  if (step.type === "External") {
    const value = node.annotations[step.annotation];
    return {
      confirmed: value === "true",
      failed: false,
      detail: `annotation ${step.annotation}=${value ?? "(unset)"}`,
    };
  }
  return { confirmed: true, failed: false, detail: "no fencing (acknowledged unsafe)" };
}
