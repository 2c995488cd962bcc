/**
 * The API server's object metadata validation (k8s.io/apimachinery validation): names must be
 * DNS subdomains (or labels, for namespaces), label keys qualified names and label values at most
 * 63 characters of [A-Za-z0-9_.-], starting and ending with an alphanumeric.
 */
import type { StatusCause } from "./status.ts";
import type { KubeObject } from "./types.ts";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function nameProblem(name: string, label: boolean): string | undefined {
  if (label) {
    if (name.length > 63 || !DNS_LABEL.test(name))
      return `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;
    return undefined;
  }
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `Invalid value: "${key}": prefix part must be a DNS subdomain`;
  if (name.length > 63 || !LABEL_NAME.test(name))
    return `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`;
  return undefined;
}

function labelProblems(labels: Readonly<Record<string, string>> | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) causes.push({ reason: "FieldValueInvalid", field: "metadata.labels", message: keyProblem });
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push({
        reason: "FieldValueInvalid",
        field: `metadata.labels`,
        message: `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      });
    }
  }
  return causes;
}

/** Every problem with the object's name and labels; `labelName` for resources named like namespaces. */
export function metadataProblems(object: KubeObject, labelName: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = object.metadata.name ?? "";
  const problem = nameProblem(name, labelName);
  if (problem) causes.push({ reason: "FieldValueInvalid", field: "metadata.name", message: problem });
  return [...causes, ...labelProblems(object.metadata.labels)];
}
