/**
 * A replica in a process of its own, for the shutdown test: it leads the lease named on the
 * command line, stops, says so, and must then exit by itself, with nothing left to keep it alive.
 * Usage: node elector-process.ts SERVER LEASE
 */
import { KubeConfig } from "@kubernetes/client-node";
import { LeaseElector } from "../../../src/controller/leader/lease-elector.ts";
import { twinKubeconfig } from "../../../src/twin/kubeconfig.ts";
import { NS, TIMING } from "./election-timing.ts";

const [server, lease] = process.argv.slice(2);
if (!server || !lease) throw new Error("usage: elector-process.ts SERVER LEASE");
const kubeconfig = new KubeConfig();
kubeconfig.loadFromString(twinKubeconfig(server));
const elector = new LeaseElector({ kubeconfig, namespace: NS, name: lease, identity: "replica-p", ...TIMING });
elector.onChange((leading) => {
  if (!leading) return;
  process.stdout.write("leading\n");
  void elector.stop().then(() => process.stdout.write("stopped\n"));
});
elector.start();
