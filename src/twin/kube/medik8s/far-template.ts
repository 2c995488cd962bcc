/**
 * FenceAgentsRemediationTemplate status validation (fence-agents-remediation's
 * controllers/fenceagentsremediationtemplate_controller.go): when the template sets
 * statusValidationSample (an integer or a percentage of the nodes named in nodeparameters), the
 * operator runs the fence agent with --action status against that many nodes, in name order,
 * one after the other (15 s timeout each), and reports condition
 * FenceAgentStatusValidationSucceeded with validationFailed per node. A BMC that does not
 * answer times out; a host that is off answers "Status: OFF", which fails the validation too.
 */
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import { scaled } from "../disruption/budget.ts";
import { setCondition } from "../shared/conditions.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import { statusOnlyChange } from "../shared/events.ts";
import { asRecord, conditionOf, keyOf, refOf } from "../shared/objects.ts";

const CONDITION = "FenceAgentStatusValidationSucceeded";
/** statusValidationTimeout. */
const STATUS_TIMEOUT_MS = 15_000;
/** How long a status query takes when the BMC answers. */
const STATUS_ANSWER_MS = 2000;

function templateNodes(template: KubeObject): string[] {
  const spec = asRecord(asRecord(asRecord(template.spec).template).spec);
  const names = new Set<string>();
  for (const perNode of Object.values(asRecord(spec.nodeparameters)))
    for (const node of Object.keys(asRecord(perNode))) names.add(node);
  for (const node of Object.keys(asRecord(spec.nodeSecretNames))) names.add(node);
  return [...names].sort();
}

function sampleSize(template: KubeObject, nodes: number): number {
  const sample = template.spec?.statusValidationSample;
  if (typeof sample !== "number" && typeof sample !== "string") return 0;
  return Math.min(nodes, Math.max(0, scaled(sample, nodes)));
}

export class FenceAgentsTemplateController extends ControllerBase {
  readonly name = "fence-agents-remediation-template";
  /** Validation runs in progress, by template key and the generation they validate. */
  private readonly running = new Map<string, number>();

  constructor(runtime: TwinRuntime) {
    super(runtime, "fence-agents-remediation");
    this.watch(runtime.resources.fenceAgentsRemediationTemplates, (event) => {
      if (event.type !== "DELETED" && !statusOnlyChange(event))
        this.after(0, () => this.reconcile(keyOf(event.object)));
    });
  }

  private reconcile(key: string): void {
    const template = this.template(key);
    if (!template) return;
    const generation = template.metadata.generation ?? 1;
    const validated = conditionOf(template, CONDITION);
    if (
      this.running.get(key) === generation ||
      (validated && validated.status !== "Unknown" && observedGeneration(template) === generation)
    )
      return;
    const nodes = templateNodes(template).slice(0, sampleSize(template, templateNodes(template).length));
    if (nodes.length === 0) return;
    this.running.set(key, generation);
    this.writeStatus(key, (draft, now) => {
      draft.status = { ...draft.status, validationFailed: {}, validationPassed: {} };
      setCondition(draft, progress(nodes.length, generation), now);
    });
    this.validate(key, generation, nodes, 0);
  }

  private validate(key: string, generation: number, nodes: readonly string[], index: number): void {
    const node = nodes[index];
    if (node === undefined) {
      this.finish(key, generation);
      return;
    }
    const host = this.runtime.truth.host(node);
    const answers = host?.bmcReachable === true;
    this.after(answers ? STATUS_ANSWER_MS : STATUS_TIMEOUT_MS, () => {
      if ((this.template(key)?.metadata.generation ?? -1) !== generation) return;
      const failure = !answers
        ? "status command timed out after 15s"
        : host.powered
          ? undefined
          : "fence agent command failed: exit status 2 (stderr: , stdout: Status: OFF\n)";
      this.writeStatus(key, (draft) => {
        const field = failure === undefined ? "validationPassed" : "validationFailed";
        draft.status = {
          ...draft.status,
          [field]: { ...asRecord(draft.status?.[field]), [node]: failure ?? "Success" },
        };
      });
      this.validate(key, generation, nodes, index + 1);
    });
  }

  private finish(key: string, generation: number): void {
    this.running.delete(key);
    this.writeStatus(key, (draft, now) => {
      const failed = Object.keys(asRecord(draft.status?.validationFailed)).length;
      draft.status = { ...draft.status, validationPassed: {} };
      setCondition(
        draft,
        failed === 0
          ? {
              type: CONDITION,
              status: "True",
              reason: "ValidationSucceeded",
              message: "parameters validation succeeded",
              extra: { observedGeneration: generation },
            }
          : {
              type: CONDITION,
              status: "False",
              reason: "ValidationFailed",
              message: `parameters validation failed for ${failed} node(s)`,
              extra: { observedGeneration: generation },
            },
        now,
      );
    });
  }

  private template(key: string): KubeObject | undefined {
    const [namespace = "default", name = ""] = key.split("/");
    return this.runtime.store.get(this.runtime.resources.fenceAgentsRemediationTemplates, namespace, name);
  }

  private writeStatus(key: string, change: (draft: KubeObject, now: string) => void): void {
    const template = this.template(key);
    if (!template) return;
    const now = this.nowIso();
    this.mutateStatus(this.runtime.resources.fenceAgentsRemediationTemplates, refOf(template), (draft) =>
      change(draft, now),
    );
  }
}

function observedGeneration(template: KubeObject): number | undefined {
  const raw = asRecord(
    (template.status?.conditions as unknown[] | undefined)?.find((entry) => asRecord(entry).type === CONDITION),
  );
  return typeof raw.observedGeneration === "number" ? raw.observedGeneration : undefined;
}

function progress(nodes: number, generation: number): Parameters<typeof setCondition>[1] {
  return {
    type: CONDITION,
    status: "Unknown",
    reason: "ValidationInProgress",
    message: `validating parameters for ${nodes} node(s)`,
    extra: { observedGeneration: generation },
  };
}
