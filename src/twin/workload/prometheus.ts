/**
 * GET /metrics: what Prometheus would scrape from virt-handler (per-VMI domain and migration
 * stats, KubeVirt's names and labels) and node-exporter (CPU, memory, pressure), in the text
 * exposition format. Values are read at scrape time from the sampler and the migration board; the
 * registry is the twin's own, never prom-client's global one. Hosts that are off or cut from the
 * network are left out, as Prometheus could not scrape their exporters.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Gauge, Registry } from "prom-client";
import type { MigrationBoard, MigrationProgress } from "../runtime/migration-board.ts";
import type { HostTruth } from "../runtime/truth.ts";
import type { Route } from "../server/api-server.ts";
import type { GuestMeter, HostLedger } from "./meters.ts";
import type { LoadSampler } from "./sampler.ts";

type Labels = Readonly<Record<string, string>>;
type Emit = (labels: Labels, value: number) => void;

interface MetricSource {
  readonly name: string;
  readonly help: string;
  readonly kind: "counter" | "gauge";
  readonly labelNames: readonly string[];
  /** Calls `emit` once per series, with label objects that stay the same between scrapes. */
  series(emit: Emit): void;
}

const VMI_LABELS = ["node", "namespace", "name"] as const;
const NODE_LABELS = ["node", "instance"] as const;
const NO_LABELS: Labels = {};

/**
 * A metric computed at scrape time. prom-client's collect() with set()/inc() would hash and
 * validate every label set on every scrape (about a second at 30,000 VMs); instead the values are
 * handed over with label objects kept per guest and host, passed as prom-client's sharedLabels,
 * which it formats once per object and caches. prom-client reads `type` from get(), so one base
 * class serves counters and gauges alike.
 */
class ComputedMetric extends Gauge {
  private readonly source: MetricSource;

  constructor(source: MetricSource, registry: Registry) {
    super({ name: source.name, help: source.help, labelNames: [...source.labelNames], registers: [registry] });
    this.source = source;
  }

  override get(): ReturnType<Gauge["get"]> {
    const { name, help, kind } = this.source;
    const values: { value: number; labels: Labels; sharedLabels: Labels }[] = [];
    this.source.series((labels, value) => values.push({ value, labels: NO_LABELS, sharedLabels: labels }));
    // The typings say MetricType (an enum); at run time prom-client uses the type's name.
    const metric = { name, help, type: kind, aggregator: "sum", values };
    return Promise.resolve(metric as unknown as Awaited<ReturnType<Gauge["get"]>>);
  }
}

interface GuestLabels {
  readonly vmi: Labels;
  readonly vcpu: Labels;
}

interface HostLabels {
  readonly node: Labels;
  readonly idle: Labels;
  readonly system: Labels;
  readonly user: Labels;
}

/** Label objects live as long as their meter or ledger, so prom-client formats each once. */
class LabelCache {
  private readonly guests = new WeakMap<GuestMeter, GuestLabels>();
  private readonly hosts = new WeakMap<HostLedger, HostLabels>();

  guest(meter: GuestMeter): GuestLabels {
    let labels = this.guests.get(meter);
    if (!labels) {
      const vmi = { node: meter.node, namespace: meter.namespace, name: meter.name };
      // All of a guest's delay on vCPU 0: the contention signal is the sum over vCPUs.
      labels = { vmi, vcpu: { ...vmi, id: "0" } };
      this.guests.set(meter, labels);
    }
    return labels;
  }

  host(ledger: HostLedger): HostLabels {
    let labels = this.hosts.get(ledger);
    if (!labels) {
      const node = { node: ledger.node, instance: ledger.node };
      // One aggregate series per mode (cpu="all"): summing node-exporter's per-CPU series gives the same.
      const mode = (name: string): Labels => ({ ...node, cpu: "all", mode: name });
      labels = { node, idle: mode("idle"), system: mode("system"), user: mode("user") };
      this.hosts.set(ledger, labels);
    }
    return labels;
  }
}

interface Readers {
  readonly sampler: LoadSampler;
  readonly board: MigrationBoard;
  readonly truth: HostTruth;
  readonly labels: LabelCache;
}

function eachGuest(sampler: LoadSampler, visit: (meter: GuestMeter) => void): void {
  for (const ledger of sampler.reportingHosts()) for (const meter of sampler.sampledGuests(ledger.node)) visit(meter);
}

function guestSource(
  readers: Readers,
  metric: Pick<MetricSource, "name" | "help" | "kind">,
  value: (meter: GuestMeter) => number | undefined,
): MetricSource {
  return {
    ...metric,
    labelNames: VMI_LABELS,
    series: (emit) =>
      eachGuest(readers.sampler, (meter) => {
        const measured = value(meter);
        if (measured !== undefined) emit(readers.labels.guest(meter).vmi, measured);
      }),
  };
}

function migrationSource(
  readers: Readers,
  metric: Pick<MetricSource, "name" | "help" | "kind">,
  value: (progress: MigrationProgress) => number,
): MetricSource {
  return {
    ...metric,
    labelNames: VMI_LABELS,
    series: (emit) => {
      for (const [vm, progress] of readers.board.all()) {
        if (!readers.truth.isReachable(progress.sourceNode)) continue;
        const slash = vm.indexOf("/");
        emit({ node: progress.sourceNode, namespace: vm.slice(0, slash), name: vm.slice(slash + 1) }, value(progress));
      }
    },
  };
}

function hostSource(
  readers: Readers,
  metric: Pick<MetricSource, "name" | "help" | "kind">,
  value: (ledger: HostLedger) => number,
): MetricSource {
  return {
    ...metric,
    labelNames: NODE_LABELS,
    series: (emit) => {
      for (const ledger of readers.sampler.reportingHosts()) emit(readers.labels.host(ledger).node, value(ledger));
    },
  };
}

function vmiSources(readers: Readers): MetricSource[] {
  return [
    guestSource(
      readers,
      {
        name: "kubevirt_vmi_cpu_usage_seconds_total",
        help: "Total CPU time spent in all modes (sum of both vcpu and hypervisor usage).",
        kind: "counter",
      },
      (meter) => meter.cpuSeconds,
    ),
    {
      name: "kubevirt_vmi_vcpu_delay_seconds_total",
      help: "Amount of time spent by each vcpu waiting in the queue instead of running.",
      kind: "counter",
      labelNames: [...VMI_LABELS, "id"],
      series: (emit) =>
        eachGuest(readers.sampler, (meter) => emit(readers.labels.guest(meter).vcpu, meter.vcpuDelaySeconds)),
    },
    guestSource(
      readers,
      {
        name: "kubevirt_vmi_memory_resident_bytes",
        help: "Resident set size of the process running the domain.",
        kind: "gauge",
      },
      (meter) => meter.memoryBytes,
    ),
    // virt-handler skips VMIs in an active migration; the migration metrics carry their rate.
    guestSource(
      readers,
      {
        name: "kubevirt_vmi_dirty_rate_bytes_per_second",
        help: "Guest dirty-rate in bytes per second.",
        kind: "gauge",
      },
      (meter) => (readers.board.get(meter.vm) ? undefined : meter.dirtyRateBytesPerSecond),
    ),
  ];
}

function migrationSources(readers: Readers): MetricSource[] {
  const gauge = (name: string, help: string): Pick<MetricSource, "name" | "help" | "kind"> => ({
    name,
    help,
    kind: "gauge",
  });
  return [
    migrationSource(
      readers,
      gauge(
        "kubevirt_vmi_migration_data_processed_bytes",
        "The total Guest OS data processed and migrated to the new VM.",
      ),
      (progress) => progress.processedBytes,
    ),
    migrationSource(
      readers,
      gauge("kubevirt_vmi_migration_data_remaining_bytes", "The remaining guest OS data to be migrated to the new VM."),
      (progress) => progress.remainingBytes,
    ),
    migrationSource(
      readers,
      gauge("kubevirt_vmi_migration_dirty_memory_rate_bytes", "The rate of memory being dirty in the Guest OS."),
      (progress) => progress.dirtyRateBytesPerSecond,
    ),
    migrationSource(
      readers,
      gauge("kubevirt_vmi_migration_memory_transfer_rate_bytes", "The rate at which the memory is being transferred."),
      (progress) => progress.transferRateBytesPerSecond,
    ),
    migrationSource(
      readers,
      {
        name: "kubevirt_vmi_migration_data_bytes_total",
        help: "The total Guest OS data to be migrated to the new VM.",
        kind: "counter",
      },
      (progress) => progress.processedBytes + progress.remainingBytes,
    ),
  ];
}

function nodeSources(readers: Readers): MetricSource[] {
  return [
    {
      name: "node_cpu_seconds_total",
      help: "Seconds the CPUs spent in each mode.",
      kind: "counter",
      labelNames: [...NODE_LABELS, "cpu", "mode"],
      series: (emit) => {
        for (const ledger of readers.sampler.reportingHosts()) {
          const labels = readers.labels.host(ledger);
          emit(labels.idle, ledger.idleSeconds);
          emit(labels.system, ledger.systemSeconds);
          emit(labels.user, ledger.userSeconds);
        }
      },
    },
    hostSource(
      readers,
      { name: "node_memory_MemTotal_bytes", help: "Memory information field MemTotal_bytes.", kind: "gauge" },
      (ledger) => ledger.memoryTotalBytes,
    ),
    hostSource(
      readers,
      { name: "node_memory_MemAvailable_bytes", help: "Memory information field MemAvailable_bytes.", kind: "gauge" },
      (ledger) => ledger.memoryAvailableBytes(),
    ),
    hostSource(
      readers,
      {
        name: "node_pressure_cpu_waiting_seconds_total",
        help: "Total time in seconds that processes have waited for CPU time",
        kind: "counter",
      },
      (ledger) => ledger.cpuWaitingSeconds,
    ),
    hostSource(
      readers,
      {
        name: "node_pressure_memory_waiting_seconds_total",
        help: "Total time in seconds that processes have waited for memory",
        kind: "counter",
      },
      (ledger) => ledger.memoryWaitingSeconds,
    ),
  ];
}

export interface ScrapeSources {
  readonly sampler: LoadSampler;
  readonly migrations: MigrationBoard;
  readonly truth: HostTruth;
}

export function workloadRegistry({ sampler, migrations, truth }: ScrapeSources): Registry {
  const registry = new Registry();
  const readers: Readers = { sampler, board: migrations, truth, labels: new LabelCache() };
  for (const source of [...vmiSources(readers), ...migrationSources(readers), ...nodeSources(readers)])
    new ComputedMetric(source, registry);
  return registry;
}

export function metricsRoute(registry: Registry): Route {
  return {
    prefix: "/metrics",
    handle: async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
      if (url.pathname !== "/metrics" || (request.method !== "GET" && request.method !== "HEAD")) {
        response.writeHead(404, { "content-type": "text/plain" });
        response.end("404 page not found\n");
        return;
      }
      const body = await registry.metrics();
      response.writeHead(200, { "content-type": registry.contentType });
      response.end(request.method === "HEAD" ? undefined : body);
    },
  };
}
