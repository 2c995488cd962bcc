/**
 * The ground truth under the API: which hosts have power, which can reach the network, whose BMC
 * answers, and on which hosts each VM's guest actually runs. The API can be wrong about all of
 * this (a partitioned node still runs its VMs while its pods look dead), which is the point: a
 * second copy of a VM running anywhere is a split-brain, and the truth counts it.
 */

export interface HostState {
  powered: boolean;
  /** Connected to the cluster network (kubelet reaches the API server; peers reach it). */
  networked: boolean;
  bmcReachable: boolean;
}

export type TruthEvent =
  | { readonly type: "host"; readonly node: string; readonly state: Readonly<HostState> }
  | { readonly type: "vm-started" | "vm-stopped"; readonly vm: string; readonly node: string }
  | { readonly type: "split-brain"; readonly vm: string; readonly nodes: readonly string[] };

export type TruthListener = (event: TruthEvent) => void;

export class HostTruth {
  private readonly hosts = new Map<string, HostState>();
  /** VM key (namespace/name) → hosts where its guest runs. */
  private readonly running = new Map<string, Set<string>>();
  private readonly listeners = new Set<TruthListener>();
  private splitBrains = 0;
  private readonly splitBrainVms = new Set<string>();

  subscribe(listener: TruthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: TruthEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  addHost(node: string): void {
    if (!this.hosts.has(node)) this.hosts.set(node, { powered: true, networked: true, bmcReachable: true });
  }

  host(node: string): Readonly<HostState> | undefined {
    return this.hosts.get(node);
  }

  hostNames(): string[] {
    return [...this.hosts.keys()].sort();
  }

  /** The kubelet can talk to the API server: powered and networked. */
  isReachable(node: string): boolean {
    const state = this.hosts.get(node);
    return state !== undefined && state.powered && state.networked;
  }

  setHost(node: string, change: Partial<HostState>): void {
    const state = this.hosts.get(node);
    if (!state) return;
    const next = { ...state, ...change };
    if (
      next.powered === state.powered &&
      next.networked === state.networked &&
      next.bmcReachable === state.bmcReachable
    )
      return;
    Object.assign(state, next);
    // Power loss kills every guest on the host.
    if (!state.powered) for (const [vm, nodes] of this.running) if (nodes.has(node)) this.stopVm(vm, node);
    this.emit({ type: "host", node, state: { ...state } });
  }

  /** A guest starts on a powered host. Starting a second copy while one runs elsewhere is a split-brain. */
  startVm(vm: string, node: string): void {
    const state = this.hosts.get(node);
    if (!state?.powered) return;
    const nodes = this.running.get(vm) ?? new Set<string>();
    if (nodes.has(node)) return;
    nodes.add(node);
    this.running.set(vm, nodes);
    this.emit({ type: "vm-started", vm, node });
    if (nodes.size > 1) {
      this.splitBrains += 1;
      this.splitBrainVms.add(vm);
      this.emit({ type: "split-brain", vm, nodes: [...nodes].sort() });
    }
  }

  stopVm(vm: string, node: string): void {
    const nodes = this.running.get(vm);
    if (!nodes?.delete(node)) return;
    if (nodes.size === 0) this.running.delete(vm);
    this.emit({ type: "vm-stopped", vm, node });
  }

  /**
   * A live migration hands the guest over: it stops on the source as it starts on the target, so
   * it is never two copies.
   */
  moveVm(vm: string, from: string, to: string): void {
    const nodes = this.running.get(vm) ?? new Set<string>();
    nodes.delete(from);
    nodes.add(to);
    this.running.set(vm, nodes);
    this.emit({ type: "vm-stopped", vm, node: from });
    this.emit({ type: "vm-started", vm, node: to });
  }

  hostsOf(vm: string): string[] {
    return [...(this.running.get(vm) ?? [])].sort();
  }

  vmsOn(node: string): string[] {
    const found: string[] = [];
    for (const [vm, nodes] of this.running) if (nodes.has(node)) found.push(vm);
    return found.sort();
  }

  splitBrainCount(): number {
    return this.splitBrains;
  }

  splitBrainVmNames(): string[] {
    return [...this.splitBrainVms].sort();
  }
}
