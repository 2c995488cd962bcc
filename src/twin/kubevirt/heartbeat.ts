/**
 * virt-handler's node heartbeat (kubevirt/kubevirt pkg/virt-handler/heartbeat/heartbeat.go): on start
 * and then every minute, jittered by up to 1.2 minutes (wait.JitterUntil(…, 1m, 1.2, sliding)), a
 * handler that can reach the API labels its node kubevirt.io/schedulable=true, rewrites the CPU-manager
 * labels and stamps the kubevirt.io/heartbeat annotation. A handler on a host that lost power or network
 * writes nothing; when the host comes back the handler restarts and beats at once.
 *
 * The CPU-manager labels keep the node's current value: the twin has no kubelet CPU-manager state to
 * read, so the label the scenario set stands for it.
 */
import type { Rng } from "../../core/numeric/rng.ts";
import type { KubeObject } from "../api/types.ts";
import type { TimerHandle } from "../clock/virtual-clock.ts";
import type { Controller } from "../runtime/runtime.ts";
import type { KubeVirtContext } from "./context.ts";
import { nameOf } from "./fields.ts";
import { ACTOR, ANNOTATION, LABEL } from "./names.ts";

export const HEARTBEAT_INTERVAL_MS = 60_000;
const HEARTBEAT_JITTER_FACTOR = 1.2;

interface NodeBeat {
  timer: TimerHandle | undefined;
  readonly rng: Rng;
}

export class Heartbeat implements Controller {
  readonly name = "kubevirt/virt-handler-heartbeat";
  private readonly context: KubeVirtContext;
  private readonly beats = new Map<string, NodeBeat>();
  private readonly unsubscribe: (() => void)[];

  constructor(context: KubeVirtContext) {
    this.context = context;
    const { store, resources, runtime } = context;
    this.unsubscribe = [
      store.subscribe(resources.nodes, (event) => {
        if (event.type === "ADDED") this.restart(nameOf(event.object));
        if (event.type === "DELETED") this.forget(nameOf(event.object));
      }),
      runtime.truth.subscribe((event) => {
        if (event.type === "host" && runtime.truth.isReachable(event.node)) this.restart(event.node);
      }),
    ];
    for (const node of store.list(resources.nodes)) this.restart(nameOf(node));
  }

  stop(): void {
    for (const node of [...this.beats.keys()]) this.forget(node);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private forget(node: string): void {
    this.context.clock.cancel(this.beats.get(node)?.timer);
    this.beats.delete(node);
  }

  /** The handler (re)starts: it beats now, then on its jittered period. */
  private restart(node: string): void {
    const beat = this.beats.get(node) ?? {
      timer: undefined,
      rng: this.context.runtime.rng(`kubevirt/heartbeat/${node}`),
    };
    this.context.clock.cancel(beat.timer);
    this.beats.set(node, beat);
    this.tick(node, beat);
  }

  private tick(node: string, beat: NodeBeat): void {
    if (!this.context.runtime.truth.isReachable(node)) {
      // The handler is down with its host; the restart on the host's return resumes the beat.
      beat.timer = undefined;
      return;
    }
    this.beatOnce(node);
    const wait = HEARTBEAT_INTERVAL_MS + beat.rng.next() * HEARTBEAT_JITTER_FACTOR * HEARTBEAT_INTERVAL_MS;
    beat.timer = this.context.clock.after(wait, () => this.tick(node, beat));
  }

  private beatOnce(node: string): void {
    this.context.store.mutate(
      this.context.resources.nodes,
      { name: node },
      (draft: KubeObject) => {
        const labels = { ...draft.metadata.labels };
        const cpuManager = labels[LABEL.cpuManager] === "true" ? "true" : "false";
        labels[LABEL.schedulable] = "true";
        labels[LABEL.cpuManager] = cpuManager;
        labels[LABEL.deprecatedCpuManager] = cpuManager;
        draft.metadata.labels = labels;
        draft.metadata.annotations = { ...draft.metadata.annotations, [ANNOTATION.heartbeat]: this.context.nowIso() };
      },
      { actor: ACTOR.handler },
    );
  }
}
