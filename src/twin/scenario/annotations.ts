/**
 * The labels and annotations through which a scenario speaks to the rest of the twin: the
 * scheduler reads the initial node, KubeVirt the volume access modes and the node's migration
 * bandwidth, the workload model the load and its factor, the kubelet the NUMA layout. Those the
 * other parts define are re-exported from there, so each is spelled once.
 */
import { ANNOTATION } from "../kubevirt/names.ts";

export { LOAD_FACTOR_ANNOTATION, WORKLOAD_ANNOTATION } from "../workload/spec.ts";

/** JSON {volumeName: [accessModes]} for PVC and DataVolume volumes: the twin has no PVC objects. */
export const VOLUME_ACCESS_MODES_ANNOTATION = ANNOTATION.volumeAccessModes;
/** The node the VM's first pod goes to; the scheduler honours it. */
export const INITIAL_NODE_ANNOTATION = ANNOTATION.initialNode;
/** Bytes per second a node can send or receive for migrations. */
export const MIGRATION_BANDWIDTH_ANNOTATION = ANNOTATION.migrationBandwidth;
/** JSON {topologyPolicy, cells: [{id, cpus, memory, hugepages}]}: the node's NUMA layout. */
export const NUMA_ANNOTATION = "twin.kubedrs.io/numa";

/** The VM group a VM belongs to (on the VM, its template, and so its VMI and pod). */
export const GROUP_LABEL = "twin.kubedrs.io/group";
/** The node pool a node belongs to. */
export const POOL_LABEL = "twin.kubedrs.io/pool";

/** Who writes: the store's actor for every object a scenario creates. */
export const SCENARIO_ACTOR = "scenario";
