/**
 * KubeVirt's cluster configuration, read live from whichever KubeVirt CR exists, with KubeVirt's
 * defaults for whatever is unset or unreadable (pkg/virt-config/configuration.go defaultClusterConfig,
 * virt-config.go). Read on every use, so a changed CR applies at once, as virt-controller's informer would.
 */
import { KUBEVIRT_MIGRATION_DEFAULTS, type MigrationConfiguration } from "../../core/model/snapshot.ts";
import type { KubeObject } from "../api/types.ts";
import type { ObjectStore } from "../store/store.ts";
import type { Resources } from "../runtime/resources.ts";
import { flagAt, keyOf, numberAt, quantityAt, recordAt, stringMapAt, textAt } from "./fields.ts";

export type EvictionStrategy = "None" | "LiveMigrate" | "LiveMigrateIfPossible" | "External";

const EVICTION_STRATEGIES: readonly EvictionStrategy[] = ["None", "LiveMigrate", "LiveMigrateIfPossible", "External"];

export interface KubeVirtConfig {
  readonly migrations: MigrationConfiguration;
  /** migrations.nodeDrainTaintKey (deprecated taint-based drain). */
  readonly nodeDrainTaintKey: string;
  readonly evictionStrategy: EvictionStrategy;
  /** configuration.cpuModel; unset means host-model. */
  readonly cpuModel: string | undefined;
  /** developerConfiguration.nodeSelectors: added to every virt-launcher pod. */
  readonly nodeSelectors: Readonly<Record<string, string>>;
  /** developerConfiguration.cpuAllocationRatio: a vCPU requests 1/ratio of a core. */
  readonly cpuAllocationRatio: number;
  /** developerConfiguration.memoryOvercommit, percent. */
  readonly memoryOvercommit: number;
  /** network.defaultNetworkInterface: the binding a VMI without interfaces gets on the pod network. */
  readonly defaultNetworkInterface: string;
  /** network.binding names whose plugin declares migration support. */
  readonly migratableBindings: ReadonlySet<string>;
}

/** KubeVirt's defaults (virt-config.go: DefaultCPUAllocationRatio 10, DefaultMemoryOvercommit 100, bridge). */
const DEFAULT_CPU_ALLOCATION_RATIO = 10;
const DEFAULT_MEMORY_OVERCOMMIT = 100;
const DEFAULT_NETWORK_INTERFACE = "bridge";
const DEFAULT_NODE_DRAIN_TAINT_KEY = "kubevirt.io/drain";

function positiveInteger(value: number | undefined, fallback: number, minimum = 1): number {
  return value !== undefined && Number.isInteger(value) && value >= minimum ? value : fallback;
}

function migrationsOf(migrations: Record<string, unknown> | undefined): MigrationConfiguration {
  const defaults = KUBEVIRT_MIGRATION_DEFAULTS;
  const allowWorkloadDisruption = flagAt(migrations, "allowWorkloadDisruption");
  const bandwidth = quantityAt(migrations, "bandwidthPerMigration");
  return {
    parallelMigrationsPerCluster: positiveInteger(
      numberAt(migrations, "parallelMigrationsPerCluster"),
      defaults.parallelMigrationsPerCluster,
    ),
    parallelOutboundMigrationsPerNode: positiveInteger(
      numberAt(migrations, "parallelOutboundMigrationsPerNode"),
      defaults.parallelOutboundMigrationsPerNode,
    ),
    bandwidthPerMigration: bandwidth !== undefined && bandwidth >= 0 ? bandwidth : defaults.bandwidthPerMigration,
    completionTimeoutPerGiB: positiveInteger(
      numberAt(migrations, "completionTimeoutPerGiB"),
      defaults.completionTimeoutPerGiB,
      0,
    ),
    progressTimeout: positiveInteger(numberAt(migrations, "progressTimeout"), defaults.progressTimeout, 0),
    allowAutoConverge: flagAt(migrations, "allowAutoConverge") ?? defaults.allowAutoConverge,
    allowPostCopy: flagAt(migrations, "allowPostCopy") ?? defaults.allowPostCopy,
    ...(allowWorkloadDisruption !== undefined && { allowWorkloadDisruption }),
    maxDowntimeMs: positiveInteger(numberAt(migrations, "maxDowntimeMs"), defaults.maxDowntimeMs),
  };
}

function evictionStrategyOf(configuration: Record<string, unknown> | undefined): EvictionStrategy {
  const value = textAt(configuration, "evictionStrategy");
  return EVICTION_STRATEGIES.find((strategy) => strategy === value) ?? "None";
}

function migratableBindingsOf(configuration: Record<string, unknown> | undefined): Set<string> {
  const bindings = recordAt(configuration, "network", "binding") ?? {};
  return new Set(Object.keys(bindings).filter((name) => recordAt(bindings, name, "migration") !== undefined));
}

export function parseKubeVirtConfig(kubevirt: KubeObject | undefined): KubeVirtConfig {
  const configuration = recordAt(kubevirt, "spec", "configuration");
  const developer = recordAt(configuration, "developerConfiguration");
  return {
    migrations: migrationsOf(recordAt(configuration, "migrations")),
    nodeDrainTaintKey: textAt(configuration, "migrations", "nodeDrainTaintKey") ?? DEFAULT_NODE_DRAIN_TAINT_KEY,
    evictionStrategy: evictionStrategyOf(configuration),
    cpuModel: textAt(configuration, "cpuModel") || undefined,
    nodeSelectors: stringMapAt(developer, "nodeSelectors"),
    cpuAllocationRatio: positiveInteger(numberAt(developer, "cpuAllocationRatio"), DEFAULT_CPU_ALLOCATION_RATIO),
    memoryOvercommit: positiveInteger(numberAt(developer, "memoryOvercommit"), DEFAULT_MEMORY_OVERCOMMIT),
    defaultNetworkInterface: textAt(configuration, "network", "defaultNetworkInterface") ?? DEFAULT_NETWORK_INTERFACE,
    migratableBindings: migratableBindingsOf(configuration),
  };
}

/** The configuration of the KubeVirt CR in the store (the first by namespace/name if there are several). */
export function readKubeVirtConfig(store: ObjectStore, resources: Resources): KubeVirtConfig {
  const crs = store.list(resources.kubevirts).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  return parseKubeVirtConfig(crs[0]);
}
