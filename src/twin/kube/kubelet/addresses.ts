/**
 * IPv4 arithmetic for pod CIDRs: the node IPAM controller carves per-node ranges from the
 * cluster CIDR, and each kubelet's CNI (host-local IPAM) hands out pod IPs from its node's range,
 * lowest free first, skipping the network, gateway (.1) and broadcast addresses.
 */

export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  return { base: address - (address % size), prefix };
}

export function formatIp(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.base)}/${cidr.prefix}`;
}

/** The `index`-th subnet of size /`prefix` inside `parent`, or undefined when the parent is exhausted. */
export function subnet(parent: Cidr, prefix: number, index: number): Cidr | undefined {
  const size = 2 ** (32 - prefix);
  if (prefix < parent.prefix || (index + 1) * size > 2 ** (32 - parent.prefix)) return undefined;
  return { base: parent.base + index * size, prefix };
}

/** Pod IPs of one node, as host-local IPAM allocates them. */
export class PodIpAllocator {
  private readonly used = new Map<string, number>();
  private readonly taken = new Set<number>();

  ipOf(podUid: string): string | undefined {
    const address = this.used.get(podUid);
    return address === undefined ? undefined : formatIp(address);
  }

  allocate(podUid: string, cidr: Cidr): string | undefined {
    const existing = this.ipOf(podUid);
    if (existing) return existing;
    const size = 2 ** (32 - cidr.prefix);
    for (let offset = 2; offset < size - 1; offset += 1) {
      const address = cidr.base + offset;
      if (this.taken.has(address)) continue;
      this.taken.add(address);
      this.used.set(podUid, address);
      return formatIp(address);
    }
    return undefined;
  }

  release(podUid: string): void {
    const address = this.used.get(podUid);
    if (address === undefined) return;
    this.used.delete(podUid);
    this.taken.delete(address);
  }
}
