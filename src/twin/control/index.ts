/** Run-time control of a twin: the /twin/v1 routes, and a client for them. */
export { ControlRequestError, endpointFromKubeconfig, getStatus, postEvent } from "./client.ts";
export { type EventWordOptions, eventFromWords } from "./event-words.ts";
export { CONTROL_SOURCE, type EventReceipt } from "./inject.ts";
export { type MigrationCounts, RunStats } from "./run-stats.ts";
export { CONTROL_API_VERSION, type TwinStatus } from "./status.ts";
export { CONTROL_PREFIX, TwinControl } from "./twin-control.ts";
