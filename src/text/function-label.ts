import { textWidth, truncateEnd, truncatePath } from './fit.js';
import { shortenFile } from './paths.js';
import { terminalText } from './untrusted.js';

/**
 * `name (file:line)`, terminal-safe, fitted to `max` characters. What a reader needs most goes
 * last: the file is cut first, from the left (`is_prime (…ads.py:13)`, then `is_prime (…:13)`);
 * only then the name, at its end, still with its line (`very_long_na… (…:13)`).
 */
export function functionLabel(name: string, file: string, line: number, max = Infinity): string {
  const safeName = terminalText(name);
  const safeFile = terminalText(shortenFile(file));
  const lineText = `:${line}`;
  const full = `${safeName} (${safeFile}${lineText})`;
  if (textWidth(full) <= max) return full;
  const nameWidth = textWidth(safeName);
  // `name (` + `)` around the file and the line.
  const fileRoom = max - nameWidth - 3 - textWidth(lineText);
  if (fileRoom >= 1) return `${safeName} (${truncatePath(safeFile, fileRoom)}${lineText})`;
  const nameRoom = max - 3 - 1 - textWidth(lineText);
  if (nameRoom >= 4) return `${truncateEnd(safeName, nameRoom)} (…${lineText})`;
  return truncateEnd(full, max);
}
