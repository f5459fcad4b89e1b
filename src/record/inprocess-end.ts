import { open } from 'node:fs/promises';
import type { ProgramExit, TraceEnd } from './finish-trace.js';
import { forEachFileLine } from './file-lines.js';

/**
 * Checks the end of a trace the in-process recorder wrote and puts the program's end before its
 * last line. The recorder ends a finished trace with
 *   # pyflame-end result=complete events=N lost=0 recorder=inprocess end=exit
 * where N must equal the event lines in the file. A program killed hard (SIGKILL, a crash in C)
 * never writes it: its last buffer is lost, so the trace is labelled incomplete here:
 *   # pyflame-end result=incomplete events=N lost=unknown recorder=inprocess reason=no-end-line
 */

const END_LINE = /^# pyflame-end result=complete events=(\d+) /;

interface Scan {
  events: number;
  /** Offset and text of the last complete line. */
  lastLineStart: number;
  lastLine: string;
  /** Offset just after the last newline. */
  endOfLastLine: number;
  size: number;
}

async function scan(path: string): Promise<Scan> {
  const result: Scan = { events: 0, lastLineStart: 0, lastLine: '', endOfLastLine: 0, size: 0 };
  const extent = await forEachFileLine(path, (bytes, start, end, offset) => {
    const first = bytes[start];
    if (first !== undefined && first >= 48 && first <= 57) result.events++;
    result.lastLineStart = offset;
    result.lastLine = bytes.toString('latin1', start, end);
  });
  result.endOfLastLine = extent.endOfLastLine;
  result.size = extent.size;
  return result;
}

/** The wait(2) status word of an exit (for the `# pyflame-exit` line the bpftrace path writes too). */
function waitStatus(exit: ProgramExit): number {
  return 'status' in exit ? exit.status << 8 : exit.signal;
}

/** Checks the trace at `path`, writes `# pyflame-exit` before its end line (adding one if missing). */
export async function finishInProcessTrace(path: string, exit: ProgramExit): Promise<TraceEnd> {
  const found = await scan(path);
  const cutLine = found.endOfLastLine < found.size;
  const end = cutLine ? undefined : END_LINE.exec(found.lastLine);
  // A cut last line (the recorder killed mid-write) is an event lost, not counted.
  const complete = end !== undefined && end !== null && Number(end[1]) === found.events;
  const marker = complete
    ? found.lastLine
    : `# pyflame-end result=incomplete events=${found.events} lost=unknown recorder=inprocess reason=${end === null || end === undefined ? 'no-end-line' : 'count-mismatch'}${cutLine ? ' cut-line=1' : ''}`;
  const keep = complete ? found.lastLineStart : found.endOfLastLine;
  const file = await open(path, 'r+');
  try {
    await file.truncate(keep);
    const text = Buffer.from(`# pyflame-exit pid=${exit.pid} wait-status=${waitStatus(exit)}\n${marker}\n`);
    const { bytesWritten } = await file.write(text, 0, text.length, keep);
    if (bytesWritten !== text.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    await file.sync();
  } finally {
    await file.close();
  }
  return {
    events: found.events,
    lost: 0,
    fired: complete ? found.events : undefined,
    missing: complete ? 0 : undefined,
    complete,
    cutLine,
    exit,
    marker,
  };
}
