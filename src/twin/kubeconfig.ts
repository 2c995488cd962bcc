/** A kubeconfig for the twin that kubectl and @kubernetes/client-node use as is. */
import { stringify } from "yaml";

export function twinKubeconfig(server: string, name = "kubedrs-twin"): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    // client-node refuses a plain http:// server unless TLS verification is explicitly off.
    clusters: [{ name, cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "twin-admin", user: { token: "kubedrs-twin" } }],
    contexts: [{ name, context: { cluster: name, user: "twin-admin", namespace: "default" } }],
    "current-context": name,
    preferences: {},
  });
}
