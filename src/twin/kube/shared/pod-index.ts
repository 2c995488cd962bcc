/**
 * Pods by the node they are bound to, kept current from the store's events: what an informer
 * with a spec.nodeName index gives a real controller. It subscribes before the controllers that
 * read it, so they see each change already indexed.
 */
import type { ResourceType } from "../../api/resources.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ObjectStore, StoreEvent } from "../../store/store.ts";
import { keyOf, podNodeName } from "./objects.ts";

export class PodIndex {
  private readonly byNode = new Map<string, Map<string, KubeObject>>();
  private readonly nodeOfPod = new Map<string, string>();
  private readonly unsubscribe: () => void;

  constructor(store: ObjectStore, pods: ResourceType) {
    for (const pod of store.list(pods)) this.put(pod);
    this.unsubscribe = store.subscribe(pods, (event) => this.apply(event));
  }

  stop(): void {
    this.unsubscribe();
  }

  private apply(event: StoreEvent): void {
    if (event.type === "DELETED") this.drop(keyOf(event.object));
    else this.put(event.object);
  }

  private put(pod: KubeObject): void {
    const key = keyOf(pod);
    const node = podNodeName(pod);
    const previous = this.nodeOfPod.get(key);
    if (previous !== undefined && previous !== node) this.drop(key);
    if (node === undefined) return;
    let pods = this.byNode.get(node);
    if (!pods) {
      pods = new Map();
      this.byNode.set(node, pods);
    }
    pods.set(key, pod);
    this.nodeOfPod.set(key, node);
  }

  private drop(key: string): void {
    const node = this.nodeOfPod.get(key);
    if (node === undefined) return;
    this.nodeOfPod.delete(key);
    const pods = this.byNode.get(node);
    pods?.delete(key);
    if (pods?.size === 0) this.byNode.delete(node);
  }

  /** The pods bound to `node`, in key order. */
  podsOn(node: string): KubeObject[] {
    const pods = this.byNode.get(node);
    if (!pods) return [];
    return [...pods.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, pod]) => pod);
  }

  /** The names of the nodes that have pods bound to them, sorted. */
  nodesWithPods(): string[] {
    return [...this.byNode.keys()].sort();
  }
}
