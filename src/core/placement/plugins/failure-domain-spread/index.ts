/**
 * FailureDomainSpread: spreads the VMs of one application across zones, so one zone's failure
 * takes down as few of them as possible. An application is the VMs of a namespace sharing the
 * value of the first label in APP_LABELS.
 */
import { LABEL } from "../../../model/kubevirt-labels.ts";
import type { ScorePlugin } from "../../framework.ts";
import { domainCounts } from "../../vm-groups.ts";

export const APP_LABELS = ["app.kubernetes.io/name", "app", "kubevirt.io/vm-group"] as const;

export const failureDomainSpread: ScorePlugin = {
  name: "FailureDomainSpread",
  defaultWeight: 2,
  score(ctx, vm, node) {
    const label = APP_LABELS.find((key) => vm.labels[key] !== undefined);
    const zone = node.labels[LABEL.zone];
    if (!label || zone === undefined) return 100;
    const group = domainCounts(
      {
        selector: { matchLabels: { [label]: vm.labels[label] ?? "" } },
        namespaces: { kind: "names", names: new Set([vm.namespace]) },
        key: `app:${vm.namespace}/${label}=${vm.labels[label] ?? ""}`,
      },
      LABEL.zone,
      ctx,
    );
    const others = group.members.size - 1;
    if (others <= 0) return 100;
    return 100 * (1 - group.countIn(zone, vm.index) / others);
  },
};
