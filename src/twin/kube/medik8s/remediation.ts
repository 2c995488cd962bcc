/**
 * What the medik8s remediators share (medik8s/common): the remediated node is named by the
 * CR's remediation.medik8s.io/node-name annotation or else by the CR's name; NHC's timeout
 * annotation stops a remediation; ResourceDeletion force-deletes every pod bound to the node
 * (grace period 0, pkg/resources.DeletePods); OutOfServiceTaint adds
 * node.kubernetes.io/out-of-service=nodeshutdown:NoExecute.
 */
import { ApiError } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import { annotationOf, nameOf } from "../shared/objects.ts";
import { TAINT, type TaintSpec } from "../shared/taints.ts";

export const NODE_NAME_ANNOTATION = "remediation.medik8s.io/node-name";
export const NHC_TIMED_OUT_ANNOTATION = "remediation.medik8s.io/nhc-timed-out";
export const EXCLUDE_FROM_REMEDIATION_LABEL = "remediation.medik8s.io/exclude-from-remediation";

export const OUT_OF_SERVICE_TAINT: TaintSpec = { key: TAINT.outOfService, value: "nodeshutdown", effect: "NoExecute" };

/** medik8s/common's events carry this prefix: "[remediation] Remediation started". */
export function remediationMessage(message: string): string {
  return `[remediation] ${message}`;
}

export function remediatedNodeName(remediation: KubeObject): string {
  return annotationOf(remediation, NODE_NAME_ANNOTATION) ?? nameOf(remediation);
}

export function isTimedOutByNhc(remediation: KubeObject): boolean {
  return annotationOf(remediation, NHC_TIMED_OUT_ANNOTATION) !== undefined;
}

/** DeletePods: every pod on the node, at once, grace period 0. */
export function deletePodsOnNode(runtime: TwinRuntime, node: string, actor: string): void {
  const { store, resources } = runtime;
  const pods = store.list(resources.pods, { fields: [{ field: "spec.nodeName", value: node, negate: false }] });
  for (const pod of pods) {
    try {
      store.delete(resources.pods, pod.metadata.namespace, nameOf(pod), {
        gracePeriodSeconds: 0,
        propagationPolicy: "Background",
        preconditionUid: pod.metadata.uid,
        actor,
      });
    } catch (error) {
      // Gone meanwhile, or refused: the next reconcile deletes what is left.
      if (!(error instanceof ApiError)) throw error;
    }
  }
}

export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return (object.metadata.finalizers ?? []).includes(finalizer);
}

export function withFinalizer(draft: KubeObject, finalizer: string): boolean {
  if (hasFinalizer(draft, finalizer)) return false;
  draft.metadata.finalizers = [...(draft.metadata.finalizers ?? []), finalizer];
  return true;
}

export function withoutFinalizer(draft: KubeObject, finalizer: string): boolean {
  if (!hasFinalizer(draft, finalizer)) return false;
  draft.metadata.finalizers = (draft.metadata.finalizers ?? []).filter((name) => name !== finalizer);
  return true;
}
