/** The `cap` longest of `items` (ties: the earlier in the list), in their list order. */
export function longest<T>(items: readonly T[], cap: number, durationOf: (item: T) => number): T[] {
  if (items.length <= cap) return [...items];
  const order = items.map((_, i) => i).sort((a, b) => durationOf(items[b]) - durationOf(items[a]) || a - b);
  return order
    .slice(0, cap)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}
