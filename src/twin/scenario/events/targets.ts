/**
 * The hosts a host event acts on, looked up in the twin as it is now: named nodes, filtered by
 * pool and zone, and cut to a random `fraction` when the event asks for one.
 */
import { LABEL } from "../../../core/model/kubevirt-labels.ts";
import type { Rng } from "../../../core/numeric/rng.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import { POOL_LABEL } from "../annotations.ts";
import type { HostTarget } from "../event-schema.ts";
import { EventTargetError } from "./context.ts";

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function mustExist(nodes: ReadonlyMap<string, KubeObject>, name: string, path: readonly (string | number)[]): string {
  if (!nodes.has(name)) throw new EventTargetError(path, `no node named ${JSON.stringify(name)}`);
  return name;
}

/** The nodes named by `node` and `nodes`, or undefined when the event names none. */
function namedNodes(target: HostTarget, nodes: ReadonlyMap<string, KubeObject>): string[] | undefined {
  if (target.node === undefined && target.nodes === undefined) return undefined;
  const named = (target.nodes ?? []).map((name, index) => mustExist(nodes, name, ["nodes", index]));
  if (target.node !== undefined) named.push(mustExist(nodes, target.node, ["node"]));
  return [...new Set(named)];
}

function labelFilter(target: HostTarget): (node: KubeObject) => boolean {
  return (node) => {
    const labels = node.metadata.labels ?? {};
    return (
      (target.pool === undefined || labels[POOL_LABEL] === target.pool) &&
      (target.zone === undefined || labels[LABEL.zone] === target.zone)
    );
  };
}

export function selectHosts(runtime: TwinRuntime, target: HostTarget, rng: Rng): string[] {
  const nodes = new Map(runtime.store.list(runtime.resources.nodes).map((node) => [node.metadata.name ?? "", node]));
  const named = namedNodes(target, nodes) ?? [...nodes.keys()];
  const matches = labelFilter(target);
  const selected = named.filter((name) => {
    const node = nodes.get(name);
    return node !== undefined && matches(node);
  });
  if (selected.length === 0)
    throw new EventTargetError(["node"], "no node matches the event's node, nodes, pool and zone");
  selected.sort(byName);
  if (target.fraction === undefined) return selected;
  const count = Math.max(1, Math.round(target.fraction * selected.length));
  return rng.shuffle(selected).slice(0, count).sort(byName);
}
