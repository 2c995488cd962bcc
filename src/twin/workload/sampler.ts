/**
 * The sampler: every 15 virtual seconds (metrics-server's resolution) it measures every guest on
 * every powered host and advances the counters. It follows the ground truth for which guest runs
 * where, and the Node objects for capacity. Work per sample is linear in the number of guests.
 */
import type { Controller, TwinRuntime } from "../runtime/runtime.ts";
import type { TruthEvent } from "../runtime/truth.ts";
import type { StoreEvent } from "../store/store.ts";
import { SampleScratch, sampleHost } from "./host-sample.ts";
import { GuestMeter, HostLedger } from "./meters.ts";
import type { GuestProfiles } from "./profiles.ts";
import { type NodeShape, nodeShapeOf } from "./shapes.ts";

export const SAMPLE_PERIOD_MS = 15_000;

export class LoadSampler {
  private readonly runtime: TwinRuntime;
  private readonly profiles: GuestProfiles;
  private readonly periodMs: number;
  /** node → VM key → meter, for every guest the truth says runs there. */
  private readonly guests = new Map<string, Map<string, GuestMeter>>();
  private readonly ledgers = new Map<string, HostLedger>();
  private readonly shapes = new Map<string, NodeShape>();
  private previousSampleAt: number;
  private readonly scratch = new SampleScratch();

  constructor(runtime: TwinRuntime, profiles: GuestProfiles, periodMs = SAMPLE_PERIOD_MS) {
    this.runtime = runtime;
    this.profiles = profiles;
    this.periodMs = periodMs;
    this.previousSampleAt = runtime.clock.now();
  }

  start(): Controller {
    const { clock, store, truth, resources } = this.runtime;
    const stopTruth = truth.subscribe((event) => this.onTruth(event));
    const stopNodes = store.subscribe(resources.nodes, (event) => this.onNode(event));
    for (const node of store.list(resources.nodes))
      this.onNode({ type: "ADDED", resource: resources.nodes, object: node, old: undefined });
    for (const host of truth.hostNames()) for (const vm of truth.vmsOn(host)) this.addGuest(vm, host);
    const timer = clock.every(this.periodMs, () => this.sample());
    return {
      name: "workload-sampler",
      stop: () => {
        clock.cancel(timer);
        stopTruth();
        stopNodes();
      },
    };
  }

  /** Measures every guest now and advances the counters by the time since the last sample. */
  sample(): void {
    const now = this.runtime.clock.now();
    const time = { now, previous: this.previousSampleAt };
    for (const [node, shape] of this.shapes) {
      const ledger = this.syncLedger(node);
      if (!ledger) continue;
      const guests = [...(this.guests.get(node)?.values() ?? [])];
      sampleHost({ ledger, shape, guests, scratch: this.scratch }, time);
    }
    this.previousSampleAt = now;
  }

  /** Hosts whose metrics can be scraped now (powered and on the network), sampled at least once, by name. */
  reportingHosts(): HostLedger[] {
    const hosts: HostLedger[] = [];
    for (const ledger of this.ledgers.values()) {
      if (ledger.sampled && this.runtime.truth.isReachable(ledger.node)) hosts.push(ledger);
    }
    return hosts.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }

  /** The guests on a host that a sample has seen. */
  sampledGuests(node: string): GuestMeter[] {
    const found: GuestMeter[] = [];
    for (const meter of this.guests.get(node)?.values() ?? []) if (meter.sampled) found.push(meter);
    return found;
  }

  guest(node: string, vm: string): GuestMeter | undefined {
    return this.guests.get(node)?.get(vm);
  }

  ledger(node: string): HostLedger | undefined {
    return this.ledgers.get(node);
  }

  /** A host has a ledger while it has a Node with a capacity and its power is on; power-off resets it. */
  private syncLedger(node: string): HostLedger | undefined {
    if (!this.shapes.has(node) || !this.runtime.truth.host(node)?.powered) {
      this.ledgers.delete(node);
      return undefined;
    }
    let ledger = this.ledgers.get(node);
    if (!ledger) {
      ledger = new HostLedger(node, this.runtime.clock.now());
      this.ledgers.set(node, ledger);
    }
    return ledger;
  }

  private onNode(event: StoreEvent): void {
    const name = event.object.metadata.name ?? "";
    const shape = event.type === "DELETED" ? undefined : nodeShapeOf(event.object);
    if (shape) this.shapes.set(name, shape);
    else this.shapes.delete(name);
    this.syncLedger(name);
  }

  private onTruth(event: TruthEvent): void {
    if (event.type === "vm-started") this.addGuest(event.vm, event.node);
    else if (event.type === "vm-stopped") this.guests.get(event.node)?.delete(event.vm);
    else if (event.type === "host") this.syncLedger(event.node);
  }

  private addGuest(vm: string, node: string): void {
    let onHost = this.guests.get(node);
    if (!onHost) {
      onHost = new Map();
      this.guests.set(node, onHost);
    }
    onHost.set(vm, new GuestMeter(vm, node, this.runtime.clock.now(), this.profiles.slot(vm)));
  }
}
