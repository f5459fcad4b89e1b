import { basename } from 'node:path';

/** Input extensions dropped from output names by default: a trace's. */
const TRACE_EXTENSIONS = /\.(txt|log|csv)$/i;

/**
 * The name outputs are written under: the input's basename without a final `.gz`, then without a
 * final extension matching `extensions` (default `.txt`, `.log` or `.csv`:
 * `threads.pyflame.txt.gz` → `threads.pyflame`); `stdin` for `-`.
 */
export function outputName(path: string, extensions: RegExp = TRACE_EXTENSIONS): string {
  if (path === '-') return 'stdin';
  const base = basename(path.replace(/\\/g, '/'));
  const stripped = base.replace(/\.gz$/i, '').replace(extensions, '');
  return stripped === '' ? base : stripped;
}
