/**
 * VM sizes and the virt-launcher pod requests KubeVirt renders for them with its defaults:
 * cpuAllocationRatio 10 (100m per shared vCPU), whole cores for dedicated CPUs, and guest memory
 * plus the launcher's overhead (pkg/virt-controller/services/renderresources.go GetMemoryOverhead).
 */
import { GPU_RESOURCE, HUGEPAGES_1GI } from "./node-builder.ts";
import { GiB, MiB } from "./units.ts";

export interface VmShape {
  readonly vcpus: number;
  /** Guest memory in bytes. */
  readonly memory: number;
}

export type Weighted<T> = readonly (readonly [T, number])[];

function shape(vcpus: number, memoryGiB: number): VmShape {
  return { vcpus, memory: memoryGiB * GiB };
}

/** Mostly small VMs, with a tail of big ones, as on any general-purpose cluster. */
export const GENERAL_SHAPES: Weighted<VmShape> = [
  [shape(1, 2), 22],
  [shape(2, 4), 26],
  [shape(4, 8), 18],
  [shape(4, 16), 14],
  [shape(8, 32), 13],
  [shape(16, 64), 7],
];

export const DATABASE_SHAPES: Weighted<VmShape> = [
  [shape(4, 16), 4],
  [shape(8, 32), 4],
  [shape(16, 64), 2],
];

export const GPU_SHAPES: Weighted<VmShape> = [
  [shape(4, 16), 2],
  [shape(8, 32), 5],
  [shape(16, 64), 3],
];

/** Whole-GiB guests, so they map onto 1Gi hugepages exactly. */
export const DEDICATED_SHAPES: Weighted<VmShape> = [
  [shape(2, 8), 3],
  [shape(4, 16), 4],
  [shape(8, 32), 2],
  [shape(16, 64), 1],
];

const CPU_ALLOCATION_RATIO = 10;
/** virt-launcher-monitor 25Mi, virt-launcher 100Mi, virtlogd 25Mi, virtqemud 40Mi, QEMU 30Mi. */
const LAUNCHER_FIXED_OVERHEAD = 220 * MiB;
const PER_VCPU_OVERHEAD = 8 * MiB;
const IOTHREAD_OVERHEAD = 8 * MiB;
const VIDEO_RAM_OVERHEAD = 32 * MiB;
/** VFIO pins guest memory and needs room for its own mappings. */
const VFIO_OVERHEAD = 1 * GiB;

/** Memory the launcher pod asks for beyond the guest's RAM, rounded up to whole MiB. */
export function memoryOverhead(vm: VmShape, hasHostDevices: boolean): number {
  const pageTables = vm.memory / 512;
  const overhead =
    pageTables +
    LAUNCHER_FIXED_OVERHEAD +
    PER_VCPU_OVERHEAD * vm.vcpus +
    IOTHREAD_OVERHEAD +
    VIDEO_RAM_OVERHEAD +
    (hasHostDevices ? VFIO_OVERHEAD : 0);
  return Math.ceil(overhead / MiB) * MiB;
}

export interface ResourceOptions {
  readonly dedicated: boolean;
  readonly isolateEmulatorThread: boolean;
  readonly hugepages: boolean;
  readonly gpus: number;
}

export const SHARED_CPU: ResourceOptions = {
  dedicated: false,
  isolateEmulatorThread: false,
  hugepages: false,
  gpus: 0,
};

export interface RenderedResources {
  readonly requests: Record<string, number>;
  readonly limits?: Record<string, number>;
}

/**
 * Requests as KubeVirt sets them. Dedicated CPUs need Guaranteed QoS, so limits equal requests;
 * with hugepages the guest RAM comes from the hugepage pool and `memory` covers only the overhead.
 */
export function renderResources(vm: VmShape, options: ResourceOptions): RenderedResources {
  const overhead = memoryOverhead(vm, options.gpus > 0);
  const requests: Record<string, number> = {
    cpu: options.dedicated ? (vm.vcpus + (options.isolateEmulatorThread ? 1 : 0)) * 1000 : sharedCpu(vm.vcpus),
    memory: options.hugepages ? overhead : vm.memory + overhead,
  };
  if (options.hugepages) requests[HUGEPAGES_1GI] = vm.memory;
  if (options.gpus > 0) requests[GPU_RESOURCE] = options.gpus;
  if (options.dedicated) return { requests, limits: { ...requests } };
  if (options.gpus > 0) return { requests, limits: { [GPU_RESOURCE]: options.gpus } };
  return { requests };
}

function sharedCpu(vcpus: number): number {
  return Math.ceil((vcpus * 1000) / CPU_ALLOCATION_RATIO);
}
