import { describe, it } from "vitest";
import { type MutableVm, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import { checkVerdict, contextFor, expectVerdict } from "../../../../../test/support/placement-context.ts";
import type { Purpose } from "../../framework.ts";
import { liveMigratable } from "./index.ts";

type Volume = NonNullable<MutableVm["volumes"]>[number];

function volumes(...list: Volume[]) {
  return (vm: MutableVm) => {
    vm.volumes = list;
  };
}

const gpu = (vm: MutableVm) => {
  vm.hostDevices = [{ name: "gpu0", deviceName: "nvidia.com/A100", kind: "gpu" }];
};

describe("LiveMigratable", () => {
  it.each<{ name: string; vm: (vm: MutableVm) => void; purpose?: Purpose; want: RegExp | undefined }>([
    {
      name: "a VM KubeVirt reports migratable, without devices or local disks, may move",
      vm: () => {},
      want: undefined,
    },
    {
      name: "LiveMigratable=False is reported with KubeVirt's reason and message",
      vm: (vm) => {
        vm.liveMigratable = {
          status: "False",
          reason: "DisksNotLiveMigratable",
          message: "cannot migrate VMI: PVC rootdisk is not shared",
        };
      },
      want: /^LiveMigratable: KubeVirt reports LiveMigratable=False \(DisksNotLiveMigratable: cannot migrate VMI: PVC rootdisk is not shared\)$/,
    },
    {
      name: "LiveMigratable=False without a reason is still a blocker",
      vm: (vm) => {
        vm.liveMigratable = { status: "False" };
      },
      want: /^LiveMigratable: KubeVirt reports LiveMigratable=False$/,
    },
    {
      name: "LiveMigratable=Unknown is a blocker until KubeVirt reports",
      vm: (vm) => {
        vm.liveMigratable = { status: "Unknown" };
      },
      want: /^LiveMigratable: KubeVirt has not reported LiveMigratable for the VMI yet$/,
    },
    {
      name: "a passed-through GPU cannot live-migrate",
      vm: gpu,
      want: /^LiveMigratable: GPU passthrough \(nvidia\.com\/A100\) cannot live-migrate$/,
    },
    {
      name: "a passed-through host device cannot live-migrate",
      vm: (vm) => {
        vm.hostDevices = [{ name: "nic", deviceName: "intel.com/qat", kind: "hostDevice" }];
      },
      want: /^LiveMigratable: host device intel\.com\/qat is passed through and cannot live-migrate$/,
    },
    {
      name: "a ReadWriteOnce PVC cannot live-migrate",
      vm: volumes({
        name: "rootdisk",
        source: "persistentVolumeClaim",
        claimName: "vm-root",
        accessModes: ["ReadWriteOnce"],
      }),
      want: /^LiveMigratable: volume rootdisk \(PVC vm-root\) is ReadWriteOnce Filesystem; live migration needs ReadWriteMany$/,
    },
    {
      name: "a ReadWriteOnce DataVolume in block mode cannot live-migrate",
      vm: volumes({
        name: "data",
        source: "dataVolume",
        claimName: "vm-data",
        accessModes: ["ReadWriteOnce"],
        volumeMode: "Block",
      }),
      want: /^LiveMigratable: volume data \(PVC vm-data\) is ReadWriteOnce Block; live migration needs ReadWriteMany$/,
    },
    {
      name: "a ReadWriteOncePod PVC cannot live-migrate",
      vm: volumes({ name: "data", source: "persistentVolumeClaim", accessModes: ["ReadWriteOncePod"] }),
      want: /^LiveMigratable: volume data is ReadWriteOncePod Filesystem; live migration needs ReadWriteMany$/,
    },
    {
      name: "a ReadWriteMany PVC and DataVolume are shared and may move",
      vm: volumes(
        {
          name: "rootdisk",
          source: "dataVolume",
          claimName: "vm-root",
          accessModes: ["ReadWriteMany"],
          volumeMode: "Block",
        },
        { name: "data", source: "persistentVolumeClaim", claimName: "vm-data", accessModes: ["ReadWriteMany"] },
      ),
      want: undefined,
    },
    {
      name: "a PVC offering ReadWriteMany beside ReadWriteOnce may move",
      vm: volumes({ name: "data", source: "persistentVolumeClaim", accessModes: ["ReadWriteOnce", "ReadWriteMany"] }),
      want: undefined,
    },
    {
      name: "a PVC whose access modes are unknown is left to KubeVirt's condition",
      vm: volumes({ name: "data", source: "persistentVolumeClaim", claimName: "vm-data" }),
      want: undefined,
    },
    {
      name: "a hostDisk lives on the node and cannot move",
      vm: volumes({ name: "scratch", source: "hostDisk" }),
      want: /^LiveMigratable: volume scratch is a hostDisk on the node$/,
    },
    {
      name: "container disks and cloud-init volumes move with the VM",
      vm: volumes({ name: "root", source: "containerDisk" }, { name: "init", source: "cloudInitNoCloud" }),
      want: undefined,
    },
    {
      name: "KubeVirt's condition is reported before what kubedrs sees in the spec",
      vm: (vm) => {
        gpu(vm);
        vm.liveMigratable = { status: "False", reason: "HostDeviceNotLiveMigratable" };
      },
      want: /^LiveMigratable: KubeVirt reports LiveMigratable=False \(HostDeviceNotLiveMigratable\)$/,
    },
    {
      name: "evacuation needs a live migration too",
      vm: gpu,
      purpose: "evacuate",
      want: /^LiveMigratable: GPU passthrough/,
    },
    {
      name: "a restart does not migrate, so nothing here blocks it",
      vm: (vm) => {
        gpu(vm);
        vm.liveMigratable = { status: "False", reason: "DisksNotLiveMigratable" };
        volumes({ name: "scratch", source: "hostDisk" })(vm);
      },
      purpose: "restart",
      want: undefined,
    },
  ])("$name", ({ vm, purpose, want }) => {
    const ctx = contextFor([buildNode("n1"), buildNode("n2")], [buildVm("vm", "n1", {}, vm)], {
      purpose: purpose ?? "balance",
    });
    expectVerdict(checkVerdict(liveMigratable, ctx, "vm"), want);
  });
});
