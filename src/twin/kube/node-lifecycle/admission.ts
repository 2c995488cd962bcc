/**
 * The API server's admission and create-time defaulting for pods and nodes that the node
 * lifecycle depends on:
 * - DefaultTolerationSeconds: a pod that does not tolerate node.kubernetes.io/not-ready or
 *   unreachable (NoExecute) gets a toleration for it with tolerationSeconds 300, so taint-based
 *   eviction waits five minutes (plugin/pkg/admission/defaulttolerationseconds).
 * - Pod status on create: phase Pending and the QoS class (pod strategy PrepareForCreate).
 * - NodeTaint: a new node is tainted node.kubernetes.io/not-ready:NoSchedule until the node
 *   lifecycle controller sees it Ready (plugin/pkg/admission/nodetaint).
 */
import { type KubeObject, isRecord } from "../../api/types.ts";
import type { ObjectStore } from "../../store/store.ts";
import type { Resources } from "../../runtime/resources.ts";
import { asList, asRecord, containersOf } from "../shared/objects.ts";
import { CPU, MEMORY, parseAmounts } from "../shared/resources.ts";
import { TAINT, addTaint } from "../shared/taints.ts";

export function admitPodsAndNodes(store: ObjectStore, resources: Resources, defaultTolerationSeconds: number): void {
  store.admit(resources.pods, {
    create(pod) {
      addDefaultTolerations(pod, defaultTolerationSeconds);
      defaultPodStatus(pod);
    },
  });
  store.admit(resources.nodes, {
    create(node) {
      addTaint(node, { key: TAINT.notReady, effect: "NoSchedule" }, "");
    },
  });
}

function toleratesAll(toleration: Record<string, unknown>, key: string): boolean {
  const anyKey = toleration.key === undefined || toleration.key === "";
  const anyEffect = toleration.effect === undefined || toleration.effect === "";
  return (toleration.key === key || anyKey) && (toleration.effect === "NoExecute" || anyEffect);
}

export function addDefaultTolerations(pod: KubeObject, seconds: number): void {
  const tolerations = asList(pod.spec?.tolerations).filter(isRecord);
  const added = [TAINT.notReady, TAINT.unreachable]
    .filter((key) => !tolerations.some((toleration) => toleratesAll(toleration, key)))
    .map((key) => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds }));
  if (added.length === 0) return;
  pod.spec = { ...pod.spec, tolerations: [...tolerations, ...added] };
}

function defaultPodStatus(pod: KubeObject): void {
  const status = (pod.status ??= {});
  status.phase ??= "Pending";
  status.qosClass ??= qosClassOf(pod);
}

/** Guaranteed: every container limits cpu and memory to its requests; BestEffort: nothing set at all. */
export function qosClassOf(pod: KubeObject): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers = containersOf(pod);
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const container of containers) {
    const resources = asRecord(container.resources);
    const requests = parseAmounts(resources.requests);
    const limits = parseAmounts(resources.limits);
    if (requests.size > 0 || limits.size > 0) anySet = true;
    for (const name of [CPU, MEMORY]) {
      const limit = limits.get(name);
      if (limit === undefined || (requests.get(name) ?? limit) !== limit) guaranteed = false;
    }
  }
  if (!anySet) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}
