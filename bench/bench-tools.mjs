// What several bench scripts need alike: medians, finding a program, whether bpftrace can run,
// and a one-line reason for a failed child process.
import fs from 'node:fs';
import path from 'node:path';

/** Debian's python3.11, the interpreter here with CPython's static markers. */
export const MARKERS_PYTHON = '/usr/bin/python3.11';

/** The median of the numbers in `xs` (null and undefined left out); null when there are none. */
export function median(xs) {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The executable `name` on PATH, or null. */
export function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const f = path.join(dir || '.', name);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return f;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** Can bpftrace record the markers here? `{ ok, bpftrace }`, or `{ ok: false, why }`. */
export function bpftraceAvailable() {
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root (bpftrace needs root)' };
  const bpftrace = findOnPath('bpftrace');
  if (!bpftrace) return { ok: false, why: 'no bpftrace on PATH' };
  if (!fs.existsSync(MARKERS_PYTHON))
    return { ok: false, why: `no ${MARKERS_PYTHON} (the interpreter with the markers)` };
  return { ok: true, bpftrace };
}

/**
 * Why a child run (`{ code, signal, stderr, timedOut }`) failed, in one line (its last stderr
 * lines), or null when it did not; `timeoutMs` is what stopped a timed-out one.
 */
export function failure(r, timeoutMs) {
  if (r.timedOut) return `stopped after ${timeoutMs / 1000} s`;
  if (r.code === 0) return null;
  const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
  return `exit ${r.signal ?? r.code}${tail ? `: ${tail}` : ''}`;
}
