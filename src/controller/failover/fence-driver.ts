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
import { KUBEDRS } from "../../core/model/kubedrs-labels.ts";
import type { FenceStep } from "../../core/policy/kinds/failover-policy.ts";

/** A medik8s remediation kind and where its objects and templates are served. */
interface RemediationKind {
  readonly kind: string;
  readonly group: string;
  readonly plural: string;
  readonly templates: string;
}

const REMEDIATIONS = {
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
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; creationTimestamp?: string };
  spec?: { template?: { spec?: unknown } };
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
}

interface StepOutcome {
  readonly confirmed: boolean;
  readonly failed: boolean;
  /** The step's remediation is not there for this incident (not created yet, or one left by an earlier incident). */
  readonly absent: boolean;
  readonly detail: string;
}

/**
 * A remediation created this long before the incident opened belongs to an earlier one (kubedrs leaves
 * them, as their operators keep them, and they carry that incident's Succeeded=True). The margin covers
 * the API server's whole-second timestamps and clock skew; a host fails, comes back and fails again in
 * no less than a Lease timeout plus a reboot, far longer.
 */
const LEFTOVER_MARGIN_MS = 10_000;

function isLeftover(remediation: Named, incidentOpenedAt: number): boolean {
  const created = Date.parse(remediation.metadata?.creationTimestamp ?? "");
  return Number.isFinite(created) && created < incidentOpenedAt - LEFTOVER_MARGIN_MS;
}

function isTemplateStep(step: FenceStep): step is TemplateStep {
  return step.type in REMEDIATIONS;
}

async function templateOf(api: ApiClient, step: TemplateStep): Promise<Named | undefined> {
  const { group, templates } = REMEDIATIONS[step.type];
  const list = (await api.get(`/apis/${group}/${templates}`)) as { items?: Named[] };
  return (list.items ?? []).find((item) => item.metadata?.name === step.template);
}

interface Target {
  readonly node: string;
  /** When the incident opened (ms since the epoch): remediations older than that are not its own. */
  readonly since: number;
}

function remediationPath(step: TemplateStep, namespace: string, node?: string): string {
  const { group, plural } = REMEDIATIONS[step.type];
  return `/apis/${group}/namespaces/${namespace}/${plural}${node === undefined ? "" : `/${node}`}`;
}

async function templateNamespace(api: ApiClient, step: TemplateStep): Promise<string> {
  const namespace = (await templateOf(api, step))?.metadata?.namespace;
  if (namespace === undefined) throw new Error(`no ${REMEDIATIONS[step.type].kind}Template named ${step.template}`);
  return namespace;
}

/** After a 409: the existing remediation is this incident's (follow it) or an earlier one's (delete it). */
async function followOrClear(api: ApiClient, path: string, target: Target): Promise<boolean> {
  const existing = (await api.get(path)) as Named;
  if (!isLeftover(existing, target.since)) return true;
  await api.delete(path);
  return false;
}

/**
 * Starts the step for the node; returns what was done, in words, or throws with why it could not. One
 * left by an earlier incident is deleted instead, so that the next round creates this incident's own.
 */
export async function startFenceStep(api: ApiClient, step: FenceStep, target: Target): Promise<string> {
  if (!isTemplateStep(step)) return `${step.type}: nothing to create`;
  const { kind, group } = REMEDIATIONS[step.type];
  const template = await templateOf(api, step);
  const namespace = await templateNamespace(api, step);
  const body = {
    apiVersion: group,
    kind,
    metadata: { name: target.node, namespace, labels: { [KUBEDRS.managedBy]: "kubedrs" } },
    spec: template?.spec?.template?.spec ?? {},
  };
  const created = `${kind} ${namespace}/${target.node} from template ${step.template}`;
  try {
    await api.create(remediationPath(step, namespace), body);
    return created;
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
  }
  // Created by an earlier round (or kubedrs before a restart): follow it, unless an earlier incident left it.
  if (await followOrClear(api, remediationPath(step, namespace, target.node), target)) return created;
  return `${kind} ${namespace}/${target.node} left by an earlier incident: deleted, to be created again`;
}

function verdictOf(remediation: Named): StepOutcome {
  const succeeded = remediation.status?.conditions?.find((condition) => condition.type === "Succeeded");
  const detail = succeeded ? `Succeeded=${succeeded.status ?? "?"} (${succeeded.reason ?? ""})` : "no verdict yet";
  return { confirmed: succeeded?.status === "True", failed: succeeded?.status === "False", absent: false, detail };
}

async function remediationOutcome(api: ApiClient, step: TemplateStep, target: Target): Promise<StepOutcome> {
  const namespace = await templateNamespace(api, step).catch(() => undefined);
  if (namespace === undefined)
    return { confirmed: false, failed: true, absent: false, detail: `no template ${step.template}` };
  const remediation = (await api.get(remediationPath(step, namespace, target.node)).catch(() => undefined)) as
    Named | undefined;
  if (remediation === undefined) return { confirmed: false, failed: false, absent: true, detail: "not created yet" };
  // An earlier incident's Succeeded=True says nothing about this one.
  if (isLeftover(remediation, target.since))
    return { confirmed: false, failed: false, absent: true, detail: "left by an earlier incident" };
  return verdictOf(remediation);
}

/** What the step has achieved so far. */
export async function observeFenceStep(
  api: ApiClient,
  step: FenceStep,
  target: Target & { readonly annotations: Readonly<Record<string, string>> },
): Promise<StepOutcome> {
  if (isTemplateStep(step)) return remediationOutcome(api, step, target);
  if (step.type === "External") {
    const value = target.annotations[step.annotation];
    return {
      confirmed: value === "true",
      failed: false,
      absent: false,
      detail: `annotation ${step.annotation}=${value ?? "(unset)"}`,
    };
  }
  return { confirmed: true, failed: false, absent: false, detail: "no fencing (acknowledged unsafe)" };
}

/** The External steps' confirmation annotations: an earlier incident's must not confirm a new one. */
export function externalConfirmations(strategies: readonly FenceStep[]): string[] {
  return strategies.flatMap((step) => (step.type === "External" ? [step.annotation] : []));
}
