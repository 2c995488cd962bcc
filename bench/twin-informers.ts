/**
 * One client-node resync against a running twin, in a fresh process so the client's memory and
 * connection pool start cold, as a controller restart does:
 *   node bench/twin-informers.ts KUBECONFIG [typed|raw]
 * Starts informers on nodes, pods and VMIs at once; start() resolves once its list is in and its
 * watch is open. Prints JSON: per resource the objects cached and the time to sync.
 * `typed` lists through the generated APIs: CoreV1Api turns nodes and pods into client-node's
 * model classes, CustomObjectsApi hands VMIs over as parsed JSON; `raw` hands the informer parsed
 * JSON for all three, as a controller that only reads a few fields may.
 * A list that fails ends the run with an error: client-node's informer would otherwise report it
 * as an empty cache, synced quickly.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  type Informer,
  KubeConfig,
  type KubernetesObject,
  type KubernetesListObject,
  makeInformer,
} from "@kubernetes/client-node";

const [kubeconfigPath, mode = "typed"] = process.argv.slice(2);
if (kubeconfigPath === undefined) {
  process.stderr.write("usage: node bench/twin-informers.ts KUBECONFIG\n");
  process.exit(1);
}

const kubeconfig = new KubeConfig();
kubeconfig.loadFromFile(kubeconfigPath);
const core = kubeconfig.makeApiClient(CoreV1Api);
const custom = kubeconfig.makeApiClient(CustomObjectsApi);

type ListFn = () => Promise<KubernetesListObject<KubernetesObject>>;

/** A list as parsed JSON, authenticated as the kubeconfig says. */
function rawList(path: string): ListFn {
  return async () => {
    const options: { headers?: Record<string, string> } = {};
    await kubeconfig.applyToHTTPSOptions(options);
    const response = await fetch(`${kubeconfig.getCurrentCluster()?.server ?? ""}${path}`, {
      headers: options.headers ?? {},
    });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as KubernetesListObject<KubernetesObject>;
  };
}

const typedSources: Record<string, { path: string; list: ListFn }> = {
  nodes: { path: "/api/v1/nodes", list: () => core.listNode() },
  pods: { path: "/api/v1/pods", list: () => core.listPodForAllNamespaces() },
  virtualmachineinstances: {
    path: "/apis/kubevirt.io/v1/virtualmachineinstances",
    list: () =>
      custom.listClusterCustomObject({
        group: "kubevirt.io",
        version: "v1",
        plural: "virtualmachineinstances",
      }) as Promise<KubernetesListObject<KubernetesObject>>,
  },
};

const sources =
  mode === "raw"
    ? Object.fromEntries(Object.entries(typedSources).map(([name, { path }]) => [name, { path, list: rawList(path) }]))
    : typedSources;

async function sync(
  name: string,
  source: { path: string; list: ListFn },
  started: number,
): Promise<{ informer: Informer<KubernetesObject>; result: object }> {
  const informer = makeInformer(kubeconfig, source.path, source.list);
  const failed = new Promise<never>((_, reject) => informer.on("error", reject));
  await Promise.race([informer.start(), failed]);
  const seconds = (performance.now() - started) / 1000;
  const objects = informer.list().length;
  if (objects === 0) throw new Error(`${name}: the informer synced no objects`);
  return { informer, result: { resource: name, objects, seconds: round(seconds) } };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const started = performance.now();
const synced = await Promise.all(Object.entries(sources).map(([name, source]) => sync(name, source, started)));
const seconds = round((performance.now() - started) / 1000);
for (const { informer } of synced) await informer.stop();
process.stdout.write(
  `${JSON.stringify({ mode, seconds, resources: synced.map(({ result }) => result), rssMiB: Math.round(process.memoryUsage.rss() / 2 ** 20) })}\n`,
);
