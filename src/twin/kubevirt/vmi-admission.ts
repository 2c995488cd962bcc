/**
 * KubeVirt's VMI webhooks: the mutator's defaults on create, and the validators that keep users
 * off the labels KubeVirt owns and off the spec of a running VMI (pkg/virt-api/webhooks/
 * validating-webhook/admitters/vmi-create-admitter.go restrictedVmiLabels, vmi-update-admitter.go).
 * KubeVirt's own components (virt-controller, virt-handler, virt-api) are exempt, as its service accounts are.
 */
import type { KubeObject } from "../api/types.ts";
import type { AdmissionHook, WriteOptions } from "../store/store.ts";
import type { KubeVirtContext } from "./context.ts";
import { quantityAt } from "./fields.ts";
import { KUBEVIRT_ACTORS, LABEL } from "./names.ts";
import { applyVmiDefaults } from "./vmi-defaults.ts";
import { WEBHOOK, webhookInvalid } from "./webhook.ts";
import { jsonEqual } from "../api/json-equal.ts";

const RESTRICTED_LABELS = [
  LABEL.createdBy,
  LABEL.migrationJobUid,
  LABEL.nodeName,
  LABEL.migrationTargetNodeName,
  LABEL.schedulable,
  LABEL.installStrategy,
] as const;

/** A request from outside KubeVirt; writes the twin makes without an actor are setup, not users. */
function isUserRequest(options: WriteOptions): boolean {
  return options.actor !== undefined && !KUBEVIRT_ACTORS.has(options.actor);
}

function restrictedLabels(object: KubeObject): string {
  const labels = object.metadata.labels ?? {};
  return JSON.stringify(RESTRICTED_LABELS.filter((key) => key in labels).map((key) => [key, labels[key]]));
}

function validateCreate(vmi: KubeObject, options: WriteOptions): void {
  if (isUserRequest(options) && restrictedLabels(vmi) !== "[]") {
    throw webhookInvalid(WEBHOOK.vmiCreate, [
      {
        reason: "FieldValueNotSupported",
        message: "creation of the following reserved kubevirt.io/ labels on a VMI object is prohibited",
        field: "metadata.labels",
      },
    ]);
  }
  const memory =
    quantityAt(vmi, "spec", "domain", "memory", "guest") ??
    quantityAt(vmi, "spec", "domain", "memory", "hugepages", "pageSize") ??
    quantityAt(vmi, "spec", "domain", "resources", "requests", "memory");
  if (memory === undefined) {
    throw webhookInvalid(WEBHOOK.vmiCreate, [
      {
        reason: "FieldValueRequired",
        message:
          "no memory requested, at least one of 'spec.domain.memory.guest', 'spec.domain.memory.hugepages.pageSize' or 'spec.domain.resources.requests.memory' must be set",
        field: "spec.domain",
      },
    ]);
  }
}

function validateUpdate(vmi: KubeObject, old: KubeObject, options: WriteOptions): void {
  if (!isUserRequest(options)) return;
  if (!jsonEqual(vmi.spec, old.spec)) {
    throw webhookInvalid(WEBHOOK.vmiUpdate, [
      { reason: "FieldValueNotSupported", message: "update of VMI object is restricted" },
    ]);
  }
  if (restrictedLabels(vmi) !== restrictedLabels(old)) {
    throw webhookInvalid(WEBHOOK.vmiUpdate, [
      {
        reason: "FieldValueNotSupported",
        message: "modification of the following reserved kubevirt.io/ labels on a VMI object is prohibited",
      },
    ]);
  }
}

export function vmiAdmission(context: KubeVirtContext): AdmissionHook {
  return {
    create(vmi, options) {
      applyVmiDefaults(vmi, context.config(), context.nowIso());
      validateCreate(vmi, options);
    },
    update(vmi, old, options) {
      validateUpdate(vmi, old, options);
    },
  };
}
