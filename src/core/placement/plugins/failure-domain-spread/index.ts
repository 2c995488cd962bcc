/**
 * FailureDomainSpread: spreads the VMs of one application across zones, so one zone's failure
 * takes down as few of them as possible. An application is the VMs of a namespace sharing the
 * value of the first label in APP_LABELS.
 */
import { LABEL } from "../../../model/kubevirt-labels.ts";
import type { VmInfo } from "../../../model/cluster.ts";
import type { PlacementContext, ScorePlugin } from "../../framework.ts";
import { type DomainCounts, domainCounts } from "../../vm-groups.ts";

export const APP_LABELS = ["app.kubernetes.io/name", "app", "kubevirt.io/vm-group"] as const;

/** The VM's application as a group counted per zone; undefined for a VM with no app label. */
function appGroup(ctx: PlacementContext, vm: VmInfo): DomainCounts | undefined {
  const label = APP_LABELS.find((key) => vm.labels[key] !== undefined);
  if (!label) return undefined;
  const spec = {
    selector: { matchLabels: { [label]: vm.labels[label] ?? "" } },
    namespaces: { kind: "names", names: new Set([vm.namespace]) },
  } as const;
  return domainCounts(spec, LABEL.zone, ctx);
}

export const failureDomainSpread: ScorePlugin = {
  name: "FailureDomainSpread",
  defaultWeight: 2,
  score(ctx, vm, node) {
    const zone = node.labels[LABEL.zone];
    if (zone === undefined) return 100;
    // Once per VM and pass, not per node: the group's counts stay current as VMs move.
    const group = ctx.state.memo("FailureDomainSpread/group", vm.index, () => appGroup(ctx, vm));
    if (!group) return 100;
    const others = group.members.size - 1;
    if (others <= 0) return 100;
    return 100 * (1 - group.countIn(zone, vm.index) / others);
  },
};
