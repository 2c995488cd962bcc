/**
 * The kubeconfig file `kubedrs twin` writes. The twin serves plain HTTP on 127.0.0.1, and
 * @kubernetes/client-node refuses an http:// server unless its cluster says
 * `insecure-skip-tls-verify: true` (kubectl does not mind either way), so every cluster gets it.
 */
import { parse, stringify } from "yaml";
import { isRecord } from "../api/types.ts";

export function clientReadyKubeconfig(text: string): string {
  const config: unknown = parse(text);
  if (!isRecord(config) || !Array.isArray(config.clusters)) return text;
  for (const entry of config.clusters) {
    if (isRecord(entry) && isRecord(entry.cluster)) entry.cluster["insecure-skip-tls-verify"] = true;
  }
  return stringify(config);
}
