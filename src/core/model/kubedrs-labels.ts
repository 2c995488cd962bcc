/** Labels and annotations kubedrs reads and writes, all under kubedrs.io/. */
export const KUBEDRS = {
  /** "true" on a VM, VMI or namespace keeps kubedrs away from it. */
  exclude: "kubedrs.io/exclude",
  /** On a node: present while the node is (or is going) in maintenance. */
  maintenance: "kubedrs.io/maintenance",
  /** On a node: the evacuation's progress, as JSON (phase, counts, blockers, ETA), written by kubedrs. */
  evacuation: "kubedrs.io/evacuation",
  /** On a node: when kubedrs last evacuated it proactively (RFC 3339), for the rate limits. */
  proactiveAt: "kubedrs.io/proactive-at",
  /** On a VM or VMI: its restart priority class after a host failure. */
  restartPriority: "kubedrs.io/restart-priority",
  /** On a node: the host-failure incident's timeline, as JSON, written by kubedrs. */
  incident: "kubedrs.io/incident",
  /** On a VM held back after a host failure: the run strategy it gets back when its turn comes. */
  heldRunStrategy: "kubedrs.io/held-run-strategy",
  /** On a node: its BMC's Redfish ComputerSystem URL (wins over the FailoverPolicy's systemUrl template). */
  redfishSystem: "kubedrs.io/redfish-system",
  /** On a VMI: the MigrationProfile whose KubeVirt MigrationPolicy must govern its migrations. */
  migrationProfile: "kubedrs.io/migration-profile",
  /** On a VMIM: the plan that created it. */
  plan: "kubedrs.io/plan",
  /** On a VMIM: why the move was planned (human readable). */
  reason: "kubedrs.io/reason",
  /** On a VMIM: the node the move targets. */
  target: "kubedrs.io/target",
  /** On a VMIM: the node the move starts from. */
  source: "kubedrs.io/source",
  /** On a VMIM: balance, rule or evacuate. */
  moveKind: "kubedrs.io/move-kind",
  /** On a VMIM: the expected gain and cost, in balance points, and the predicted copy. */
  expectation: "kubedrs.io/expectation",
  /** On a VMIM: when kubedrs gives up on it and cancels it (RFC 3339), if KubeVirt has not ended it. */
  deadline: "kubedrs.io/deadline",
  /** On objects kubedrs creates and owns. */
  managedBy: "app.kubernetes.io/managed-by",
} as const;

export function isExcluded(
  labels: Readonly<Record<string, string>>,
  annotations?: Readonly<Record<string, string>>,
): boolean {
  return labels[KUBEDRS.exclude] === "true" || annotations?.[KUBEDRS.exclude] === "true";
}
