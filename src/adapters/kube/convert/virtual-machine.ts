/** What the VirtualMachine owning a VMI adds: how KubeVirt restarts it, and the DataVolumes it asked for. */
import type { SnapshotVm } from "../../../core/model/snapshot.ts";
import type { Field } from "./field.ts";

type RunStrategy = NonNullable<SnapshotVm["runStrategy"]>;

const RUN_STRATEGIES = ["Always", "RerunOnFailure", "Manual", "Halted", "Once", "WaitAsReceiver"] as const;

/** KubeVirt's VirtualMachine.RunStrategy(): the deprecated spec.running true is Always; false or unset is Halted. */
export function runStrategyOf(vm: Field): RunStrategy | undefined {
  const spec = vm.key("spec");
  const strategy = spec.key("runStrategy");
  const running = spec.key("running");
  if (strategy.present && running.present) {
    running.report("set together with spec.runStrategy; KubeVirt rejects that");
    return undefined;
  }
  if (strategy.present) return strategy.oneOf(RUN_STRATEGIES);
  return running.boolean() === true ? "Always" : "Halted";
}

export function dataVolumeTemplatesOf(vm: Field): Field[] {
  return vm.key("spec").key("dataVolumeTemplates").list();
}
