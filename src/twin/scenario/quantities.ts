/** Numbers back into the quantity strings Kubernetes objects carry ("64", "63140m", "16Gi"). */
import { GiB, MiB } from "../../synth/units.ts";

export function cpuQuantity(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** The largest binary unit that divides the value exactly, as people write memory. */
export function bytesQuantity(bytes: number): string {
  if (bytes !== 0 && bytes % GiB === 0) return `${bytes / GiB}Gi`;
  if (bytes !== 0 && bytes % MiB === 0) return `${bytes / MiB}Mi`;
  if (bytes % 1024 === 0 && bytes !== 0) return `${bytes / 1024}Ki`;
  return String(bytes);
}

/** Node memory as the kubelet reports it: whole kibibytes. */
export function kubeletMemory(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}
