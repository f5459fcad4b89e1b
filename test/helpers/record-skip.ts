import { existsSync } from 'node:fs';
import { readStapsdtNotesFromFile } from '../../src/record/elf-notes.js';
import { findBpftrace } from '../../src/record/preflight.js';

/** Debian's interpreter with CPython's markers: what the bpftrace recordings run. */
export const MARKED_PYTHON = '/usr/bin/python3.11';

/**
 * Why a real bpftrace recording cannot run here (a test's `skip` reason), or false when it can:
 * Linux, root, bpftrace, and /usr/bin/python3.11 with a function__entry marker.
 */
export function markerRecordingSkipReason(): string | false {
  if (process.platform !== 'linux') return 'pyflame record with the markers needs Linux';
  if (process.geteuid?.() !== 0) return 'not root: attaching probes needs root (CI runs as root)';
  try {
    findBpftrace();
  } catch {
    return 'bpftrace is not installed (apt-get install -y bpftrace)';
  }
  if (!existsSync(MARKED_PYTHON)) return `${MARKED_PYTHON} is not installed (Debian: apt-get install -y python3.11)`;
  if (!readStapsdtNotesFromFile(MARKED_PYTHON).some((note) => note.name === 'function__entry'))
    return `${MARKED_PYTHON} has no function markers`;
  return false;
}
