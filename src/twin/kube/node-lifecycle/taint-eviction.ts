/**
 * The taint eviction controller (pkg/controller/tainteviction, formerly the NoExecute taint
 * manager): a pod on a node with a NoExecute taint it does not tolerate is deleted at once; one
 * that tolerates every such taint for a limited time (tolerationSeconds) is deleted when the
 * shortest of those times has passed since the taint was seen. Deletion is graceful: on a dead
 * node the pod then stays Terminating. Removing the taint in time cancels the eviction.
 */
import { type Taint, type Toleration, tolerates } from "../../../core/model/selectors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { StoreEvent } from "../../store/store.ts";
import { setCondition } from "../shared/conditions.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import {
  isDeleting,
  isTerminal,
  keyOf,
  nameOf,
  podNodeName,
  refOf,
  taintsOf,
  tolerationsOf,
} from "../shared/objects.ts";
import type { PodIndex } from "../shared/pod-index.ts";

interface ScheduledEviction {
  readonly uid: string;
  readonly createdAt: number;
  readonly triggerAt: number;
}

/** The shortest tolerationSeconds among the tolerations used, -1 when they tolerate forever; undefined when a taint is not tolerated. */
export function minTolerationSeconds(taints: readonly Taint[], tolerations: readonly Toleration[]): number | undefined {
  let minimum = -1;
  for (const taint of taints) {
    const used = tolerations.find((toleration) => tolerates(toleration, taint));
    if (!used) return undefined;
    if (used.tolerationSeconds === undefined) continue;
    const seconds = Math.max(0, used.tolerationSeconds);
    if (minimum < 0 || seconds < minimum) minimum = seconds;
  }
  return minimum;
}

export class TaintEvictionController extends ControllerBase {
  readonly name = "taint-eviction-controller";
  private readonly pods: PodIndex;
  private readonly scheduled = new Map<string, ScheduledEviction>();

  constructor(runtime: TwinRuntime, pods: PodIndex) {
    super(runtime, "taint-eviction-controller");
    this.pods = pods;
    this.watch(runtime.resources.nodes, (event) => this.onNode(event));
    this.watch(runtime.resources.pods, (event) => this.onPod(event));
  }

  private onNode(event: StoreEvent): void {
    if (event.type === "DELETED") return;
    const before = event.old ? JSON.stringify(noExecute(event.old)) : "";
    if (event.type === "MODIFIED" && JSON.stringify(noExecute(event.object)) === before) return;
    for (const pod of this.pods.podsOn(nameOf(event.object))) this.process(pod, event.object);
  }

  private onPod(event: StoreEvent): void {
    const key = keyOf(event.object);
    if (event.type === "DELETED") {
      this.scheduled.delete(key);
      return;
    }
    const node = podNodeName(event.object);
    const found =
      node === undefined ? undefined : this.runtime.store.get(this.runtime.resources.nodes, undefined, node);
    if (found) this.process(event.object, found);
    else this.scheduled.delete(key);
  }

  /** Events can be stale by the time they are dispatched: decide on the pod as it is now. */
  private process(seen: KubeObject, node: KubeObject): void {
    const key = keyOf(seen);
    const pod = this.runtime.store.get(this.runtime.resources.pods, seen.metadata.namespace, nameOf(seen));
    const current = this.runtime.store.get(this.runtime.resources.nodes, undefined, nameOf(node));
    if (!pod || !current) return;
    const taints = noExecute(current);
    if (isDeleting(pod) || isTerminal(pod) || taints.length === 0) {
      this.cancel(pod);
      return;
    }
    const seconds = minTolerationSeconds(taints, tolerationsOf(pod));
    if (seconds === undefined) {
      this.evict(pod);
      return;
    }
    if (seconds < 0) {
      this.cancel(pod);
      return;
    }
    if (this.scheduled.has(key)) return;
    const eviction = { uid: pod.metadata.uid ?? "", createdAt: this.now(), triggerAt: this.now() + seconds * 1000 };
    this.scheduled.set(key, eviction);
    this.after(seconds * 1000, () => this.trigger(key, eviction));
  }

  private cancel(pod: KubeObject): void {
    const key = keyOf(pod);
    if (!this.scheduled.delete(key) || isDeleting(pod)) return;
    this.event(pod, "Normal", "TaintManagerEviction", `Cancelling deletion of Pod ${key}`);
  }

  private trigger(key: string, eviction: ScheduledEviction): void {
    if (this.scheduled.get(key) !== eviction) return;
    this.scheduled.delete(key);
    const [namespace, name] = key.split("/") as [string, string];
    const pod = this.runtime.store.get(this.runtime.resources.pods, namespace, name);
    if (pod && pod.metadata.uid === eviction.uid && !isDeleting(pod)) this.evict(pod);
  }

  /** AddConditionAndDeletePod: a DisruptionTarget condition says why, then a graceful delete. */
  private evict(pod: KubeObject): void {
    this.scheduled.delete(keyOf(pod));
    const ref = refOf(pod);
    const now = this.nowIso();
    this.event(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${keyOf(pod)}`);
    this.mutateStatus(this.runtime.resources.pods, ref, (draft) =>
      setCondition(
        draft,
        {
          type: "DisruptionTarget",
          status: "True",
          reason: "DeletionByTaintManager",
          message: "Taint manager: deleting due to NoExecute taint",
        },
        now,
      ),
    );
    this.attempt(`Pod ${ref.name}`, () =>
      this.runtime.store.delete(this.runtime.resources.pods, ref.namespace, ref.name, {
        actor: this.actor,
        preconditionUid: pod.metadata.uid,
      }),
    );
  }
}

function noExecute(node: KubeObject): Taint[] {
  return taintsOf(node)
    .filter((taint) => taint.effect === "NoExecute")
    .map((taint) => ({ key: taint.key, value: taint.value, effect: taint.effect }));
}
