import { EventKind } from '../model/event-kind.js';

// CPython's marker names as each tracer prints them: SystemTap and bpftrace keep the
// double underscores of the C names, DTrace's `probename` turns them into hyphens.
const PROBES: ReadonlyArray<readonly [string, EventKind]> = [
  ['function__entry', EventKind.Entry],
  ['function-entry', EventKind.Entry],
  ['function__return', EventKind.Return],
  ['function-return', EventKind.Return],
  ['line', EventKind.Line],
  ['gc__start', EventKind.GcStart],
  ['gc-start', EventKind.GcStart],
  ['gc__done', EventKind.GcDone],
  ['gc-done', EventKind.GcDone],
  ['import__find__load__start', EventKind.ImportStart],
  ['import-find-load-start', EventKind.ImportStart],
  ['import__find__load__done', EventKind.ImportDone],
  ['import-find-load-done', EventKind.ImportDone],
  ['audit', EventKind.Audit],
  // Not CPython markers: the scheduler's switches of the traced threads, as pyflame record
  // writes them (tracepoint:sched:sched_switch).
  ['sched-out', EventKind.OffCpu],
  ['sched-in', EventKind.OnCpu],
  // The in-process recorder's name of a thread.
  ['thread-name', EventKind.ThreadName],
];

const LONGEST = Math.max(...PROBES.map(([name]) => name.length));
/** Candidates by name length, as bytes: a lookup is an array index and a byte compare. */
const byLength: Array<Array<{ name: Uint8Array; kind: EventKind }>> = Array.from({ length: LONGEST + 1 }, () => []);
for (const [name, kind] of PROBES) byLength[name.length].push({ name: Buffer.from(name, 'latin1'), kind });

/** The event kind of the probe name in bytes[start, end), or -1. Allocates nothing. */
export function probeKind(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length > LONGEST) return -1;
  const candidates = byLength[length];
  for (let c = 0; c < candidates.length; c++) {
    const name = candidates[c].name;
    let i = 0;
    while (i < length && bytes[start + i] === name[i]) i++;
    if (i === length) return candidates[c].kind;
  }
  return -1;
}

/** A regular-expression alternative matching every probe name. */
export const PROBE_NAME_PATTERN = PROBES.map(([name]) => name).join('|');
