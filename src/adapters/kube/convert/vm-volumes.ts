/**
 * A VMI's volumes, each with its source type and, for volumes backed by a PVC, the claim's access
 * modes and volume mode: they decide whether the disk can follow the VM in a live migration.
 */
import type { SnapshotVm } from "../../../core/model/snapshot.ts";
import { compact } from "./compact.ts";
import type { Field } from "./field.ts";
import { peekString } from "./meta.ts";

type Volume = SnapshotVm["volumes"][number];
type VolumeSource = Volume["source"];
type ClaimFacts = Pick<Volume, "accessModes" | "volumeMode">;

/** The source keys of a KubeVirt volume, persistent storage first; anything else is "other". */
const KNOWN_SOURCES = [
  "persistentVolumeClaim",
  "dataVolume",
  "ephemeral",
  "memoryDump",
  "hostDisk",
  "containerDisk",
  "emptyDisk",
  "cloudInitNoCloud",
  "cloudInitConfigDrive",
  "configMap",
  "secret",
  "serviceAccount",
  "downwardAPI",
  "sysprep",
] as const satisfies readonly VolumeSource[];

const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"] as const;
const VOLUME_MODES = ["Filesystem", "Block"] as const;

/** Where the claim facts may come from, best first. */
export interface ClaimSources {
  /** PersistentVolumeClaims of the VMI's namespace; only the one a volume names is read. */
  readonly pvcs: readonly Field[];
  /** The VMI's status.volumeStatus entries. */
  readonly volumeStatus: readonly Field[];
  /** The owning VM's spec.dataVolumeTemplates, which say what CDI was asked to create. */
  readonly dataVolumeTemplates: readonly Field[];
}

/** The PVC behind a volume; a DataVolume's PVC carries the DataVolume's name. */
function claimNameOf(volume: Field, source: VolumeSource): string | undefined {
  switch (source) {
    case "persistentVolumeClaim":
      return volume.key(source).key("claimName").required().string();
    case "dataVolume":
      return volume.key(source).key("name").required().string();
    case "ephemeral":
      return volume.key(source).key("persistentVolumeClaim").key("claimName").string();
    case "memoryDump":
      return volume.key(source).key("claimName").string();
    default:
      return undefined;
  }
}

function factsFrom(accessModes: Field, volumeMode: Field): ClaimFacts {
  return compact({
    accessModes: accessModes.listOf((mode) => mode.required().oneOf(ACCESS_MODES)),
    volumeMode: volumeMode.oneOf(VOLUME_MODES),
  });
}

/** A bound claim reports the volume's actual modes in status; before binding only the requested ones exist. */
function factsFromPvc(pvc: Field): ClaimFacts {
  const bound = pvc.key("status").key("accessModes");
  const modes = bound.list().length > 0 ? bound : pvc.key("spec").key("accessModes");
  return factsFrom(modes, pvc.key("spec").key("volumeMode"));
}

function factsFromVolumeStatus(status: Field): ClaimFacts {
  const info = status.key("persistentVolumeClaimInfo");
  return factsFrom(info.key("accessModes"), info.key("volumeMode"));
}

function factsFromTemplate(template: Field): ClaimFacts {
  const spec = template.key("spec");
  const claim = spec.has("pvc") ? spec.key("pvc") : spec.key("storage");
  return factsFrom(claim.key("accessModes"), claim.key("volumeMode"));
}

function claimFacts(sources: ClaimSources, volumeName: string, claimName: string): ClaimFacts {
  const pvc = sources.pvcs.find((item) => peekString(item.value, ["metadata", "name"]) === claimName);
  if (pvc !== undefined) return factsFromPvc(pvc);
  const status = sources.volumeStatus.find(
    (item) => item.key("name").value === volumeName && item.has("persistentVolumeClaimInfo"),
  );
  if (status !== undefined) return factsFromVolumeStatus(status);
  const template = sources.dataVolumeTemplates.find((item) => item.key("metadata").key("name").value === claimName);
  return template === undefined ? {} : factsFromTemplate(template);
}

function volumeFrom(volume: Field, sources: ClaimSources): Volume | undefined {
  const name = volume.key("name").required().string();
  if (name === undefined) return undefined;
  const source: VolumeSource = KNOWN_SOURCES.find((key) => volume.has(key)) ?? "other";
  const claimName = claimNameOf(volume, source);
  const facts = claimName === undefined ? {} : claimFacts(sources, name, claimName);
  return compact({ name, source, claimName, ...facts });
}

export function volumesOf(spec: Field, sources: ClaimSources): Volume[] {
  return spec.key("volumes").listOf((volume) => volumeFrom(volume, sources)) ?? [];
}
