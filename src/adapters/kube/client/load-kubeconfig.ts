/** A kubeconfig from a file, or the in-cluster service account's when no file is named. */
import { KubeConfig } from "@kubernetes/client-node";

export function loadKubeconfig(path: string | undefined): KubeConfig {
  const kubeconfig = new KubeConfig();
  if (path === undefined) kubeconfig.loadFromCluster();
  else kubeconfig.loadFromFile(path);
  return kubeconfig;
}
