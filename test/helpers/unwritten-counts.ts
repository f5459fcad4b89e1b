/**
 * Each event line of a pyflame text trace with a `\tu=N` field appended where the next of
 * `counts` (cycling) is a number, 0 included; comment and blank lines untouched.
 */
export function withCounts(text: string, counts: readonly (number | null)[]): string {
  let event = 0;
  return text
    .split('\n')
    .map((line) => {
      if (line === '' || line.startsWith('#')) return line;
      const count = counts[event++ % counts.length];
      return count === null ? line : `${line}\tu=${count}`;
    })
    .join('\n');
}
