/**
 * The pod statuses a kubelet writes: Running once the containers started (with IPs, container
 * statuses and the readiness conditions), and Failed for a pod whose containers died with a host
 * that lost power and cannot be restarted (restartPolicy Never, as virt-launcher pods have).
 */
import type { KubeObject } from "../../api/types.ts";
import { type ConditionChange, setConditions } from "../shared/conditions.ts";
import { asNumber, asRecord, asText, containersOf } from "../shared/objects.ts";

export interface RunningPlacement {
  readonly hostIp: string | undefined;
  readonly podIp: string | undefined;
  /** Per container, in spec order: a container ID the runtime made up. */
  readonly containerIds: readonly string[];
}

function readiness(status: "True" | "False", reason?: string): ConditionChange[] {
  const extra = { lastProbeTime: null };
  return ["PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"].map((type) => ({
    type,
    status: type === "Initialized" ? "True" : status,
    reason: type === "Initialized" ? undefined : reason,
    extra,
  }));
}

function previousRestarts(pod: KubeObject, name: string): number {
  const statuses = Array.isArray(pod.status?.containerStatuses) ? (pod.status.containerStatuses as unknown[]) : [];
  const previous = statuses.map(asRecord).find((status) => status.name === name);
  return asNumber(previous?.restartCount) ?? 0;
}

/** Containers up and ready; `restarted` counts one more restart of each (after a reboot). */
export function markRunning(draft: KubeObject, placement: RunningPlacement, now: string, restarted = false): void {
  const status = (draft.status ??= {});
  status.phase = "Running";
  status.startTime ??= now;
  if (placement.hostIp) {
    status.hostIP = placement.hostIp;
    status.hostIPs = [{ ip: placement.hostIp }];
  }
  if (placement.podIp) {
    status.podIP = placement.podIp;
    status.podIPs = [{ ip: placement.podIp }];
  }
  status.containerStatuses = containersOf(draft).map((container, index) => {
    const name = asText(container.name) ?? `container-${index}`;
    return {
      name,
      image: asText(container.image) ?? "",
      imageID: "",
      containerID: placement.containerIds[index] ?? "",
      ready: true,
      started: true,
      restartCount: previousRestarts(draft, name) + (restarted ? 1 : 0),
      state: { running: { startedAt: now } },
    };
  });
  setConditions(draft, readiness("True"), now);
}

/** After a power loss: the containers are gone and restartPolicy forbids starting them again. */
export function markFailedAfterPowerLoss(draft: KubeObject, now: string): void {
  const status = (draft.status ??= {});
  status.phase = "Failed";
  status.containerStatuses = containersOf(draft).map((container, index) => ({
    name: asText(container.name) ?? `container-${index}`,
    image: asText(container.image) ?? "",
    imageID: "",
    ready: false,
    started: false,
    restartCount: previousRestarts(draft, asText(container.name) ?? ""),
    state: {
      terminated: {
        exitCode: 137,
        reason: "ContainerStatusUnknown",
        message: "The container could not be located when the pod was terminated",
        finishedAt: now,
      },
    },
  }));
  setConditions(draft, readiness("False", "PodFailed"), now);
}

/** The containers are not running (a restart after a reboot is pending). */
export function markNotReady(draft: KubeObject, now: string): boolean {
  return setConditions(draft, readiness("False", "ContainersNotReady"), now);
}
