/** "a, b, c and 4 more": the first `limit` names of a list, for reasons and Events that must stay short. */
export function listed(names: readonly string[], limit: number): string {
  const shown = names.slice(0, limit).join(", ");
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}
