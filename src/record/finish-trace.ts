import { open } from 'node:fs/promises';
import { EXIT_COUNT, EXIT_LINE } from './probe-set.js';
import { forEachFileLine } from './file-lines.js';

/**
 * Proves a finished bpftrace output complete, and labels it. Every probe of the recording program
 * counts the events it prints in a map (`@function__entry = count()`), and bpftrace dumps its maps
 * at exit, after draining its buffers: `@function__entry: 12328`. Those counts come from the
 * kernel, so event lines + `Lost N events` must add up to their sum; fewer lines mean bpftrace
 * stopped before writing everything (seen: 40% of a recording gone without a `Lost` line). No dump
 * at all means bpftrace did not finish (killed, or its writes failed: a full disk).
 *
 * `Lost N events` counts every record the kernel could not put in bpftrace's buffer, whatever
 * printed it: the `# pyflame-exit` report too, which its probe prints when the program ends, often
 * into a buffer the program's last events have just filled (seen: 11 recordings in 70 of fib(16)
 * on one CPU with one page; each lacked its exit line, and its lines + `Lost` were one more than
 * the event counts). So that probe counts its report too (`@pyflame_exit`), and the sums are of
 * records: event lines and exit reports written + lost = events and exit reports printed. (BEGIN's
 * header and cost lines need no count: BEGIN prints first, into empty buffers of a page at least.)
 *
 * The dump is then replaced by one comment line that every pyflame parser skips:
 *   # pyflame-end result=complete events=25069 lost=0 fired=25069 missing=0
 *   # pyflame-end result=complete events=4493 lost=10922 fired=15414 missing=0 exit-report=lost
 *   # pyflame-end result=incomplete events=15135 lost=0 fired=25069 missing=9934
 *   # pyflame-end result=incomplete events=13501 lost=0 fired=unknown missing=unknown reason=no-final-counts
 */

export interface TraceEnd {
  /** Event lines kept. */
  readonly events: number;
  /** Sum of bpftrace's `Lost N events`. */
  readonly lost: number;
  /** Events the probes printed, from bpftrace's final counts; undefined without them. */
  readonly fired: number | undefined;
  /**
   * Records printed by a probe and never written (fired - events - lost, the exit report counted
   * on both sides); undefined without the counts.
   */
  readonly missing: number | undefined;
  /**
   * The probe printed the program's exit report but the trace has none: `lost` (one of bpftrace's
   * lost records, the sums adding up) or `missing` (not written, or lost: the sums do not tell).
   */
  readonly exitReport?: 'lost' | 'missing';
  /** Were the final counts there, and did they add up? */
  readonly complete: boolean;
  /** A last line cut short (no newline) was removed. */
  readonly cutLine: boolean;
  /** The traced program's end, from its `# pyflame-exit` line. */
  readonly exit: ProgramExit | undefined;
  /** The label written at the end. */
  readonly marker: string;
}

/** How the program ended: an exit status, or the signal that killed it. */
export type ProgramExit =
  | { readonly pid: number; readonly status: number }
  | { readonly pid: number; readonly signal: number };

/** Decodes wait(2)'s status word: `code << 8` on exit, the signal number (| 0x80 for a core) when killed. */
export function decodeWaitStatus(pid: number, word: number): ProgramExit {
  return (word & 0x7f) === 0 ? { pid, status: (word >> 8) & 0xff } : { pid, signal: word & 0x7f };
}

const DUMP_LINE = /^@(\w+): (\d+)$/;
const LOST_LINE = /^Lost (\d+) events/;

interface Scan {
  events: number;
  /** `# pyflame-exit` lines. */
  exitReports: number;
  lost: number;
  /** Offset of the trailing block of map-dump lines. */
  dumpStart: number | undefined;
  counts: Map<string, number>;
  exit: ProgramExit | undefined;
  /** Offset just after the last newline. */
  endOfLastLine: number;
  size: number;
}

/** Reads the output once, in chunks (traces are big), noting where each kind of line is. */
async function scan(path: string): Promise<Scan> {
  const result: Scan = {
    events: 0,
    exitReports: 0,
    lost: 0,
    dumpStart: undefined,
    counts: new Map(),
    exit: undefined,
    endOfLastLine: 0,
    size: 0,
  };
  const extent = await forEachFileLine(path, (bytes, lineStart, lineEnd, offset) =>
    line(result, bytes, lineStart, lineEnd, offset),
  );
  result.endOfLastLine = extent.endOfLastLine;
  result.size = extent.size;
  return result;
}

function line(result: Scan, bytes: Buffer, start: number, end: number, offset: number): void {
  if (end > start && bytes[end - 1] === 13) end--;
  if (end === start) return;
  const first = bytes[start];
  if (first >= 48 && first <= 57) {
    result.events++;
    result.dumpStart = undefined; // the dump must be the last thing written
    return;
  }
  const text = bytes.toString('latin1', start, end);
  const dump = DUMP_LINE.exec(text);
  if (dump !== null) {
    if (result.dumpStart === undefined) {
      result.dumpStart = offset;
      result.counts.clear();
    }
    result.counts.set(dump[1], Number(dump[2]));
    return;
  }
  result.dumpStart = undefined;
  if (first === 35) {
    const exit = EXIT_LINE.exec(text);
    if (exit !== null) {
      result.exitReports++;
      result.exit = decodeWaitStatus(Number(exit[1]), Number(exit[2]));
    }
    return;
  }
  const lost = LOST_LINE.exec(text);
  if (lost !== null) result.lost += Number(lost[1]);
  // Anything else is no event the probes printed (the analysis reports it as junk).
}

/**
 * Checks the finished output at `path` and replaces its final counts by a `# pyflame-end` line
 * (a cut last line is removed first). Throws what writing the label threw (ENOSPC on a full disk).
 */
export async function finishTrace(path: string): Promise<TraceEnd> {
  const found = await scan(path);
  const hasCounts = found.dumpStart !== undefined;
  // bpftrace dumps no count a probe never touched: no exit report printed (a --pid recording stopped).
  const exitReportsPrinted = found.counts.get(EXIT_COUNT) ?? 0;
  found.counts.delete(EXIT_COUNT);
  const fired = hasCounts ? [...found.counts.values()].reduce((sum, count) => sum + count, 0) : undefined;
  const missing =
    fired === undefined ? undefined : fired + exitReportsPrinted - found.events - found.exitReports - found.lost;
  const complete = missing === 0;
  const exitReport = hasCounts && exitReportsPrinted > found.exitReports ? (complete ? 'lost' : 'missing') : undefined;
  const cutLine = found.endOfLastLine < found.size;
  const fields = [
    `result=${complete ? 'complete' : 'incomplete'}`,
    `events=${found.events}`,
    `lost=${found.lost}`,
    `fired=${fired ?? 'unknown'}`,
    `missing=${missing ?? 'unknown'}`,
  ];
  if (!hasCounts) fields.push('reason=no-final-counts');
  else if (missing !== undefined && missing < 0) fields.push('reason=more-lines-than-counted');
  if (exitReport !== undefined) fields.push(`exit-report=${exitReport}`);
  if (cutLine) fields.push('cut-line=1');
  const marker = `# pyflame-end ${fields.join(' ')}`;
  const file = await open(path, 'r+');
  try {
    await file.truncate(found.dumpStart ?? found.endOfLastLine);
    const text = Buffer.from(`${marker}\n`);
    const { bytesWritten } = await file.write(text, 0, text.length, found.dumpStart ?? found.endOfLastLine);
    if (bytesWritten !== text.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    await file.sync();
  } finally {
    await file.close();
  }
  return {
    events: found.events,
    lost: found.lost,
    fired,
    missing,
    complete,
    cutLine,
    exit: found.exit,
    ...(exitReport === undefined ? {} : { exitReport }),
    marker,
  };
}
