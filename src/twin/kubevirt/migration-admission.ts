/**
 * KubeVirt's VirtualMachineInstanceMigration webhooks (pkg/virt-api/webhooks/mutating-webhook/
 * mutators/migration-create-mutator.go, validating-webhook/admitters/migration-create-admitter.go,
 * migration-update-admitter.go): the mutator labels the migration with its VMI and adds the
 * finalizer; the validators refuse what virt-controller could not carry out.
 */
import type { KubeObject } from "../api/types.ts";
import type { AdmissionHook, WriteOptions } from "../store/store.ts";
import { conditionOf } from "./conditions.ts";
import type { KubeVirtContext } from "./context.ts";
import { textAt } from "./fields.ts";
import { isMigrationFinal } from "./migration-status.ts";
import { ACTOR, FINALIZER, LABEL } from "./names.ts";
import { isFinal } from "./vmi-spec.ts";
import { WEBHOOK, webhookDenial, webhookInvalid } from "./webhook.ts";
import { jsonEqual } from "../api/json-equal.ts";

function mutateCreate(migration: KubeObject): void {
  const vmiName = textAt(migration, "spec", "vmiName");
  if (vmiName) migration.metadata.labels = { ...migration.metadata.labels, [LABEL.migrationSelector]: vmiName };
  migration.metadata.finalizers = [...(migration.metadata.finalizers ?? []), FINALIZER.migration];
}

function validateSpec(migration: KubeObject, options: WriteOptions): string {
  const vmiName = textAt(migration, "spec", "vmiName") ?? "";
  if (vmiName === "") {
    throw webhookInvalid(WEBHOOK.migrationCreate, [
      { reason: "FieldValueRequired", message: "vmiName is missing", field: "spec.vmiName" },
    ]);
  }
  if (migration.spec?.priority !== undefined && options.actor !== ACTOR.controller) {
    throw webhookInvalid(WEBHOOK.migrationCreate, [
      {
        reason: "FieldValueForbidden",
        message: "Migration priority queue, only virt-controller is allowed to set priority field",
        field: "spec.migrationPriority",
      },
    ]);
  }
  return vmiName;
}

/** isMigratable: a LiveMigratable=False condition refuses the migration with its reason and message. */
function ensureMigratable(vmi: KubeObject): void {
  const condition = conditionOf(vmi, "LiveMigratable");
  if (textAt(condition, "status") !== "False") return;
  const reason = textAt(condition, "reason") ?? "";
  const message = textAt(condition, "message") ?? "";
  throw webhookDenial(WEBHOOK.migrationCreate, 400, `Cannot migrate VMI, Reason: ${reason}, Message: ${message}`);
}

/** ensureNoMigrationConflict: any migration of the VMI that is not Succeeded or Failed blocks a new one. */
function ensureNoMigrationInFlight(context: KubeVirtContext, namespace: string, vmiName: string): void {
  const inFlight = context.indexes
    .migrationsOf(`${namespace}/${vmiName}`)
    .filter((other) => other.metadata.labels?.[LABEL.migrationSelector] === vmiName)
    .find((other) => !isMigrationFinal(other));
  if (inFlight === undefined) return;
  throw webhookDenial(
    WEBHOOK.migrationCreate,
    400,
    `in-flight migration detected. Active migration job (${inFlight.metadata.uid ?? ""}) is currently already in progress for VMI ${vmiName}.`,
  );
}

function validateCreate(context: KubeVirtContext, migration: KubeObject, options: WriteOptions): void {
  const vmiName = validateSpec(migration, options);
  const namespace = migration.metadata.namespace ?? "default";
  const vmi = context.store.get(context.resources.virtualMachineInstances, namespace, vmiName);
  if (!vmi) throw webhookDenial(WEBHOOK.migrationCreate, 400, `the VMI "${namespace}/${vmiName}" does not exist`);
  if (isFinal(vmi)) throw webhookDenial(WEBHOOK.migrationCreate, 400, "Cannot migrate VMI in finalized state.");
  ensureMigratable(vmi);
  ensureNoMigrationInFlight(context, namespace, vmiName);
}

function validateUpdate(migration: KubeObject, old: KubeObject): void {
  if (!jsonEqual(migration.spec, old.spec)) {
    throw webhookInvalid(WEBHOOK.migrationUpdate, [
      { reason: "FieldValueNotSupported", message: "update of Migration object's spec is restricted" },
    ]);
  }
  if (isMigrationFinal(migration)) return;
  const before = old.metadata.labels?.[LABEL.migrationSelector];
  const after = migration.metadata.labels?.[LABEL.migrationSelector];
  if (before === undefined || before === after) return;
  const message =
    after === undefined
      ? "selector label can't be removed from an in-flight migration"
      : "selector label can't be modified on an in-flight migration";
  throw webhookInvalid(WEBHOOK.migrationUpdate, [{ reason: "FieldValueNotSupported", message }]);
}

export function migrationAdmission(context: KubeVirtContext): AdmissionHook {
  return {
    create(migration, options) {
      mutateCreate(migration);
      validateCreate(context, migration, options);
    },
    update(migration, old) {
      validateUpdate(migration, old);
    },
  };
}
