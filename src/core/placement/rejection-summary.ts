/** Why no node would take a VM, in one line: each plugin that said no, how often, and one of its reasons. */
import type { Rejection } from "./framework.ts";

/** "5 × ResourcesFit (…); 2 × NodeAffinity (…)", the commonest first; undefined when there is none. */
export function summarizeRejections(rejections: readonly Rejection[]): string | undefined {
  const byPlugin = new Map<string, { count: number; example: string }>();
  for (const rejection of rejections) {
    const entry = byPlugin.get(rejection.plugin) ?? { count: 0, example: rejection.reason };
    entry.count += 1;
    byPlugin.set(rejection.plugin, entry);
  }
  if (byPlugin.size === 0) return undefined;
  return [...byPlugin]
    .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
    .map(([plugin, { count, example }]) => `${count} × ${plugin} (${example})`)
    .join("; ");
}
