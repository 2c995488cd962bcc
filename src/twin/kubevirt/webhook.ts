/**
 * A KubeVirt admission webhook's denial as the API server returns it (apiserver's webhook
 * ToStatusErr): `admission webhook "<name>" denied the request: <message>`, with the webhook's code.
 * KubeVirt answers 422 Invalid with causes for field validation (webhookutils.ToAdmissionResponse),
 * 400 for other refusals (ToAdmissionResponseError) and 429 from the eviction interceptor.
 */
import { ApiError, type StatusCause, type StatusReason } from "../api/status.ts";

export const WEBHOOK = {
  migrationCreate: "migration-create-validator.kubevirt.io",
  migrationUpdate: "migration-update-validator.kubevirt.io",
  vmiCreate: "virtualmachineinstances-create-validator.kubevirt.io",
  vmiUpdate: "virtualmachineinstances-update-validator.kubevirt.io",
  eviction: "virt-launcher-eviction-interceptor.kubevirt.io",
} as const;

type DenialCode = 400 | 422 | 429;

const REASONS: Readonly<Record<DenialCode, StatusReason>> = {
  400: "BadRequest",
  422: "Invalid",
  429: "TooManyRequests",
};

export function webhookDenial(
  webhook: string,
  code: DenialCode,
  message: string,
  causes?: readonly StatusCause[],
): ApiError {
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `admission webhook "${webhook}" denied the request: ${message}`,
    reason: REASONS[code],
    code,
    ...(causes && { details: { causes } }),
  });
}

/** ToAdmissionResponse: 422 Invalid whose message joins the causes' messages. */
export function webhookInvalid(webhook: string, causes: readonly StatusCause[]): ApiError {
  return webhookDenial(webhook, 422, causes.map((cause) => cause.message).join(", "), causes);
}
