/**
 * Each simulated host's BMC, as a Redfish service answers for its ComputerSystem
 * (GET /redfish/v1/Systems/{node}: PowerState On or Off, from the ground truth). The BMC runs on
 * standby power, so a host that lost power still answers Off; a BMC that is unreachable (the drill
 * that takes it down with its host) drops the connection without a word, as a dead address would.
 * Served on the twin's own port, so a FailoverPolicy points at it with
 * `systemUrl: http://127.0.0.1:PORT/redfish/v1/Systems/{node}`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HostTruth } from "../../runtime/truth.ts";
import type { Route } from "../../server/api-server.ts";
import { sendJson } from "../../server/request.ts";

export const REDFISH_SYSTEMS_PREFIX = "/redfish/v1/Systems/";

function computerSystem(node: string, powered: boolean): Record<string, unknown> {
  return {
    "@odata.id": `${REDFISH_SYSTEMS_PREFIX}${node}`,
    "@odata.type": "#ComputerSystem.v1_20_0.ComputerSystem",
    Id: node,
    Name: node,
    PowerState: powered ? "On" : "Off",
  };
}

export function redfishRoute(truth: HostTruth): Route {
  return {
    prefix: REDFISH_SYSTEMS_PREFIX,
    handle(request: IncomingMessage, response: ServerResponse, url: URL): void {
      const node = decodeURIComponent(url.pathname.slice(REDFISH_SYSTEMS_PREFIX.length));
      const host = truth.host(node);
      if (host === undefined || request.method !== "GET") {
        sendJson(response, 404, { error: { code: "Base.1.0.ResourceMissingAtURI", message: `no system ${node}` } });
        return;
      }
      if (!host.bmcReachable) {
        request.socket.destroy();
        return;
      }
      sendJson(response, 200, computerSystem(node, host.powered));
    },
  };
}
