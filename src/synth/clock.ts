/** Times in the snapshot, written the way Kubernetes writes them: RFC 3339 to the second. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
