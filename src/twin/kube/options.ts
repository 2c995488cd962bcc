/**
 * The simulated cluster's timings and limits, with the defaults of the real components. Each
 * default names where it comes from; scenarios and tests override single values.
 */

export interface KubeletSettings {
  /** kubelet nodeLeaseDurationSeconds (40); the lease is renewed every quarter of it: 10 s (KEP-0009). */
  readonly leaseDurationSeconds: number;
  readonly leaseRenewSeconds: number;
  /** kubelet nodeStatusReportFrequency: status is posted on change and at least this often (5 min). */
  readonly statusReportSeconds: number;
  /** From binding to Running: sandbox, image, container start. */
  readonly podStartSeconds: readonly [number, number];
  /** From deletion to gone when containers stop on SIGTERM; never longer than the grace period. */
  readonly podStopSeconds: readonly [number, number];
  /** From power-on to a kubelet posting status again (firmware, OS boot, kubelet start). */
  readonly bootSeconds: readonly [number, number];
  readonly kubeletVersion: string;
  readonly containerRuntimeVersion: string;
}

export interface NodeLifecycleSettings {
  /** kube-controller-manager --node-monitor-period (5 s). */
  readonly monitorPeriodSeconds: number;
  /** --node-monitor-grace-period: 50 s since Kubernetes 1.32 (PR #126287). */
  readonly gracePeriodSeconds: number;
  /** --node-startup-grace-period (1 min): for a node whose kubelet never posted status. */
  readonly startupGracePeriodSeconds: number;
  /** --node-eviction-rate (0.1 node/s per zone): how fast NoExecute taints are added. */
  readonly evictionQps: number;
  /** --secondary-node-eviction-rate (0.01) in large zones that are partially disrupted. */
  readonly secondaryEvictionQps: number;
  /** --unhealthy-zone-threshold (0.55). */
  readonly unhealthyZoneThreshold: number;
  /** --large-cluster-size-threshold (50). */
  readonly largeClusterSizeThreshold: number;
  /** DefaultTolerationSeconds admission: --default-not-ready/unreachable-toleration-seconds (300). */
  readonly defaultTolerationSeconds: number;
}

export interface PodGcSettings {
  /** PodGC's gcCheckPeriod (20 s). */
  readonly periodSeconds: number;
  /** How long a node must be missing before its pods count as orphaned (quarantineTime, 40 s). */
  readonly quarantineSeconds: number;
  /** --terminated-pod-gc-threshold (12500). */
  readonly terminatedPodThreshold: number;
}

export interface SchedulerSettings {
  /** Unschedulable pods are retried at least this often (podMaxBackoffDuration, 10 s). */
  readonly retrySeconds: number;
  /** Cluster changes retry unschedulable pods after this back-off (podInitialBackoffDuration, 1 s). */
  readonly backoffSeconds: number;
  /** percentageOfNodesToScore; 0 means kube-scheduler's adaptive default. */
  readonly percentageOfNodesToScore: number;
}

export interface NetworkSettings {
  /** --cluster-cidr the node IPAM controller carves pod CIDRs from. */
  readonly clusterCidr: string;
  /** --node-cidr-mask-size. */
  readonly nodeCidrMaskSize: number;
}

export interface NodeMaintenanceSettings {
  /** drain.Helper Timeout in node-maintenance-operator (DrainerTimeout, 30 s). */
  readonly drainTimeoutSeconds: number;
  /** kubectl drain retries a refused (429) eviction after 5 s. */
  readonly evictionRetrySeconds: number;
  /** NMO requeues a failed drain after waitDurationOnDrainError (5 s). */
  readonly requeueSeconds: number;
}

export interface FenceAgentSettings {
  /** How long the BMC takes to power the host off and acknowledge it. */
  readonly powerOffSeconds: number;
  /** With --action reboot: from off back to on. */
  readonly powerOnSeconds: number;
  /** How long one fence-agent run takes to fail when the BMC does not answer (fence_ipmilan's power_timeout, 20 s). */
  readonly unreachableFailureSeconds: number;
}

export interface SelfNodeRemediationSettings {
  /** SelfNodeRemediationConfig.spec.safeTimeToAssumeNodeRebootedSeconds; unset: the calculated minimum. */
  readonly safeTimeToAssumeNodeRebootedSeconds: number | undefined;
  readonly apiCheckIntervalSeconds: number;
  readonly apiServerTimeoutSeconds: number;
  readonly maxApiErrorThreshold: number;
  readonly peerDialTimeoutSeconds: number;
  readonly peerRequestTimeoutSeconds: number;
  /** The watchdog timeout when the node has no watchdog-timeout annotation (60 s, the kernel's maximum default). */
  readonly defaultWatchdogTimeoutSeconds: number;
  /** How long a reset host stays without power before it starts booting. */
  readonly resetSeconds: number;
}

export interface KubernetesSettings {
  readonly kubelet: KubeletSettings;
  readonly nodeLifecycle: NodeLifecycleSettings;
  readonly podGc: PodGcSettings;
  readonly scheduler: SchedulerSettings;
  readonly network: NetworkSettings;
  readonly nodeMaintenance: NodeMaintenanceSettings;
  readonly fenceAgents: FenceAgentSettings;
  readonly selfNodeRemediation: SelfNodeRemediationSettings;
}

export type KubernetesOptions = { readonly [K in keyof KubernetesSettings]?: Partial<KubernetesSettings[K]> };

export const DEFAULT_SETTINGS: KubernetesSettings = {
  kubelet: {
    leaseDurationSeconds: 40,
    leaseRenewSeconds: 10,
    statusReportSeconds: 300,
    podStartSeconds: [2, 4],
    podStopSeconds: [1, 3],
    bootSeconds: [30, 60],
    kubeletVersion: "v1.33.4",
    containerRuntimeVersion: "containerd://2.0.5",
  },
  nodeLifecycle: {
    monitorPeriodSeconds: 5,
    gracePeriodSeconds: 50,
    startupGracePeriodSeconds: 60,
    evictionQps: 0.1,
    secondaryEvictionQps: 0.01,
    unhealthyZoneThreshold: 0.55,
    largeClusterSizeThreshold: 50,
    defaultTolerationSeconds: 300,
  },
  podGc: { periodSeconds: 20, quarantineSeconds: 40, terminatedPodThreshold: 12_500 },
  scheduler: { retrySeconds: 10, backoffSeconds: 1, percentageOfNodesToScore: 0 },
  network: { clusterCidr: "10.128.0.0/12", nodeCidrMaskSize: 24 },
  nodeMaintenance: { drainTimeoutSeconds: 30, evictionRetrySeconds: 5, requeueSeconds: 5 },
  fenceAgents: { powerOffSeconds: 5, powerOnSeconds: 5, unreachableFailureSeconds: 20 },
  selfNodeRemediation: {
    safeTimeToAssumeNodeRebootedSeconds: undefined,
    apiCheckIntervalSeconds: 15,
    apiServerTimeoutSeconds: 5,
    maxApiErrorThreshold: 3,
    peerDialTimeoutSeconds: 5,
    peerRequestTimeoutSeconds: 7,
    defaultWatchdogTimeoutSeconds: 60,
    resetSeconds: 5,
  },
};

export function resolveSettings(options: KubernetesOptions = {}): KubernetesSettings {
  return {
    kubelet: { ...DEFAULT_SETTINGS.kubelet, ...options.kubelet },
    nodeLifecycle: { ...DEFAULT_SETTINGS.nodeLifecycle, ...options.nodeLifecycle },
    podGc: { ...DEFAULT_SETTINGS.podGc, ...options.podGc },
    scheduler: { ...DEFAULT_SETTINGS.scheduler, ...options.scheduler },
    network: { ...DEFAULT_SETTINGS.network, ...options.network },
    nodeMaintenance: { ...DEFAULT_SETTINGS.nodeMaintenance, ...options.nodeMaintenance },
    fenceAgents: { ...DEFAULT_SETTINGS.fenceAgents, ...options.fenceAgents },
    selfNodeRemediation: { ...DEFAULT_SETTINGS.selfNodeRemediation, ...options.selfNodeRemediation },
  };
}

/** A duration drawn uniformly from [min, max] seconds, in milliseconds. */
export function drawMs(range: readonly [number, number], next: () => number): number {
  return Math.round((range[0] + (range[1] - range[0]) * next()) * 1000);
}
