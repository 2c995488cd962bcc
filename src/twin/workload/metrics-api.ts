/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it, so `kubectl top node` and `kubectl top pod`
 * work: NodeMetrics for each host that can be scraped, PodMetrics for each running virt-launcher pod
 * (one container, "compute", carrying the guest). A host that is off or cut from the network has no
 * metrics, as metrics-server drops a kubelet it cannot reach. CPU is the mean over the last two
 * samples (the 30 s window), memory the latest sample.
 */
import type { KubeObject } from "../api/types.ts";
import type { TwinRuntime } from "../runtime/runtime.ts";
import type { VirtualResource } from "../server/api-server.ts";
import type { LoadSampler } from "./sampler.ts";
import { launcherVmiKey } from "./shapes.ts";
import { isoSeconds } from "../../synth/clock.ts";

const API_VERSION = "metrics.k8s.io/v1beta1";
const WINDOW = "30s";

interface Usage {
  readonly cpu: string;
  readonly memory: string;
}

function usage(cpuCores: number, memoryBytes: number): Usage {
  return { cpu: `${Math.round(cpuCores * 1000)}m`, memory: `${Math.round(memoryBytes / 1024)}Ki` };
}

export function nodeMetrics(runtime: TwinRuntime, sampler: LoadSampler): VirtualResource {
  return {
    list: () => {
      const created = runtime.clock.nowIso();
      return sampler.reportingHosts().map((ledger) => {
        const node = runtime.store.get(runtime.resources.nodes, undefined, ledger.node);
        return {
          apiVersion: API_VERSION,
          kind: "NodeMetrics",
          metadata: { name: ledger.node, creationTimestamp: created, labels: node?.metadata.labels ?? {} },
          timestamp: isoSeconds(ledger.sampledAt),
          window: WINDOW,
          usage: usage(ledger.windowCpuCores(), ledger.memoryUsedBytes),
        };
      });
    },
  };
}

interface ListContext {
  readonly runtime: TwinRuntime;
  readonly sampler: LoadSampler;
  /** metrics-server stamps every object it serves with the time of the request. */
  readonly created: string;
  /** The ISO time of each host's latest sample, formatted once per list. */
  readonly sampledAt: Map<string, string | undefined>;
}

/** When the launcher's host can be scraped and has been sampled: its latest sample's time. */
function sampleTimeOf(context: ListContext, node: string): string | undefined {
  if (context.sampledAt.has(node)) return context.sampledAt.get(node);
  const ledger = context.sampler.ledger(node);
  const time = ledger?.sampled && context.runtime.truth.isReachable(node) ? isoSeconds(ledger.sampledAt) : undefined;
  context.sampledAt.set(node, time);
  return time;
}

/** A Running virt-launcher pod's node and VMI key. */
function runningLauncher(pod: KubeObject): { node: string; vm: string } | undefined {
  const vm = launcherVmiKey(pod);
  const node = pod.spec?.nodeName;
  if (vm === undefined || typeof node !== "string" || pod.status?.phase !== "Running") return undefined;
  return { node, vm };
}

function podMetricsOf(context: ListContext, pod: KubeObject): KubeObject | undefined {
  const launcher = runningLauncher(pod);
  if (!launcher) return undefined;
  const { node, vm } = launcher;
  const timestamp = sampleTimeOf(context, node);
  if (timestamp === undefined) return undefined;
  // A launcher whose guest is not (or no longer) on its node, e.g. a migration target before the
  // handover, runs no guest and reports zero.
  const meter = context.sampler.guest(node, vm);
  const sampled = meter?.sampled ? meter : undefined;
  return {
    apiVersion: API_VERSION,
    kind: "PodMetrics",
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: context.created,
      labels: pod.metadata.labels ?? {},
    },
    timestamp,
    window: WINDOW,
    containers: [{ name: "compute", usage: usage(sampled?.windowCpuCores() ?? 0, sampled?.memoryBytes ?? 0) }],
  };
}

export function podMetrics(runtime: TwinRuntime, sampler: LoadSampler): VirtualResource {
  return {
    list: (namespace) => {
      const context: ListContext = { runtime, sampler, created: runtime.clock.nowIso(), sampledAt: new Map() };
      const items: KubeObject[] = [];
      for (const pod of runtime.store.list(runtime.resources.pods, { namespace })) {
        const metrics = podMetricsOf(context, pod);
        if (metrics) items.push(metrics);
      }
      return items;
    },
  };
}
