import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { SpoolDecoder, SpoolError, type SpoolEnd } from '../parse/spool/spool-decoder.js';
import { RecordError } from './record-error.js';
import { endLine } from '../parse/spool/spool-text.js';
import type { ProgramExit, TraceEnd } from './finish-trace.js';

/**
 * Turns what the in-process recorder wrote (its spool, and one per followed child process) into
 * the trace: pyflame's text format, the processes' events merged by time, then the program's end
 * and the completeness label:
 *   # pyflame-exit pid=N wait-status=N
 *   # pyflame-end result=complete events=N lost=0 recorder=inprocess end=exit
 * A recorder killed hard (SIGKILL, a crash in C) never ends its spool: its last buffer is lost and
 * the trace is labelled `result=incomplete ... reason=no-end-chunk`.
 */

const READ_BYTES = 4 << 20;

/** One spool being read: its decoder, the lines decoded and not yet written, and its bytes. */
class SpoolCursor {
  readonly decoder: SpoolDecoder;
  private lines: string[] = [];
  private times: number[] = [];
  private next = 0;
  private readonly bytes: AsyncIterator<Buffer>;
  done = false;
  end: SpoolEnd | undefined;

  constructor(
    readonly path: string,
    lines: boolean,
  ) {
    this.decoder = new SpoolDecoder(path, { lines });
    this.bytes = (createReadStream(path, { highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>)[
      Symbol.asyncIterator
    ]();
  }

  /** Feeds the decoder the next bytes of the spool; false once it is all read (and finished). */
  async read(): Promise<boolean> {
    if (this.done) return false;
    const step = await this.bytes.next();
    if (step.done) {
      this.done = true;
      this.end = this.decoder.finish();
      return false;
    }
    try {
      this.decoder.push(step.value);
    } catch (error) {
      if (error instanceof SpoolError)
        throw new RecordError(`${this.path}: the recorder's spool is not one (${error.why}); nothing was kept`);
      throw error;
    }
    return true;
  }

  /** Decodes until a line is waiting or the spool is read; false at the end. */
  async fill(): Promise<boolean> {
    while (this.next >= this.lines.length) {
      if (this.done) return false;
      await this.read();
      const taken = this.decoder.take();
      this.lines = taken.lines;
      this.times = taken.times;
      this.next = 0;
    }
    return true;
  }

  get time(): number {
    return this.times[this.next]!;
  }

  /** Lines up to (not including) the first at or after `limit`, at least one. */
  takeUntil(limit: number, into: string[]): void {
    const { lines, times } = this;
    let i = this.next;
    do into.push(lines[i++]!);
    while (i < lines.length && times[i]! < limit);
    this.next = i;
  }

  takeAll(into: string[]): void {
    for (let i = this.next; i < this.lines.length; i++) into.push(this.lines[i]!);
    this.next = this.lines.length;
  }
}

/** The wait(2) status word of an exit (for the `# pyflame-exit` line the bpftrace path writes too). */
function waitStatus(exit: ProgramExit): number {
  return 'status' in exit ? exit.status << 8 : exit.signal;
}

async function writeAll(file: FileHandle, text: string | Buffer): Promise<void> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const { bytesWritten } = await file.write(bytes, 0, bytes.length);
  if (bytesWritten !== bytes.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
}

/**
 * Writes the trace at `tracePath` from the program's spool and its followed children's, in time
 * order. Returns what the recording's end says.
 */
export async function finishInProcessTrace(
  spool: string,
  children: readonly string[],
  tracePath: string,
  exit: ProgramExit,
  costLine?: string,
): Promise<TraceEnd> {
  // The recording's cost (calibrate.ts), right after the header line (issue 13, design §A).
  const afterHeader = costLine === undefined ? '' : `${costLine}\n`;
  const cursors = [spool, ...children].map((path) => new SpoolCursor(path, children.length > 0));
  const file = await open(tracePath, 'w');
  let events = 0;
  try {
    if (cursors.length === 1) {
      // One process: its text as it is decoded, with nothing to merge.
      events = await copySpool(cursors[0]!, file, afterHeader);
      return await endTrace(file, cursors, events, exit, children.length);
    }
    const live: SpoolCursor[] = [];
    for (const cursor of cursors) if (await cursor.fill()) live.push(cursor);
    const main = cursors[0]!;
    await writeAll(file, `${main.decoder.traceHeader()}\n${afterHeader}`);
    for (const child of cursors.slice(1)) await writeAll(file, `${processLine(child.decoder)}\n`);
    const out: string[] = [];
    while (live.length > 0) {
      // The earliest cursor gives its lines up to the next cursor's time (one cursor: all of them).
      let first = 0;
      for (let i = 1; i < live.length; i++) if (live[i]!.time < live[first]!.time) first = i;
      const cursor = live[first]!;
      if (live.length === 1) cursor.takeAll(out);
      else {
        let limit = Infinity;
        for (let i = 0; i < live.length; i++) if (i !== first) limit = Math.min(limit, live[i]!.time);
        cursor.takeUntil(limit, out);
      }
      if (out.length >= 65536) {
        events += out.length;
        await writeAll(file, out.join(''));
        out.length = 0;
      }
      if (!(await cursor.fill())) live.splice(first, 1);
    }
    events += out.length;
    await writeAll(file, out.join(''));
    return await endTrace(file, cursors, events, exit, children.length);
  } finally {
    await file.close();
  }
}

/** A followed child process, as a comment line under the header. */
function processLine(decoder: SpoolDecoder): string {
  const field = (key: string) => decoder.header.get(key) ?? '?';
  return `# pyflame-process pid=${field('pid')} ppid=${field('ppid')} python=${field('python')} version=${field('version')}`;
}

/** The program's end and the completeness label, after the events; the recording's end. */
async function endTrace(
  file: FileHandle,
  cursors: readonly SpoolCursor[],
  events: number,
  exit: ProgramExit,
  children: number,
): Promise<TraceEnd> {
  const ends = cursors.map((cursor) => cursor.end!);
  const incomplete = cursors.filter((cursor) => !cursor.end!.complete);
  const complete = incomplete.length === 0;
  const mainEnd = ends[0]!;
  const marker = complete
    ? endLine({ ...mainEnd, events }).trimEnd() + (children > 0 ? ` processes=${cursors.length}` : '')
    : `# pyflame-end result=incomplete events=${events} lost=unknown recorder=inprocess reason=${incomplete
        .map((cursor) => {
          const why = cursor.end!.how === undefined ? 'no-end-chunk' : 'damaged';
          return children > 0 ? `${why}:pid-${cursor.decoder.header.get('pid') ?? '?'}` : why;
        })
        .join(',')}`;
  await writeAll(file, `# pyflame-exit pid=${exit.pid} wait-status=${waitStatus(exit)}\n${marker}\n`);
  await file.sync();
  return {
    events,
    lost: 0,
    fired: complete ? events : undefined,
    missing: complete ? 0 : undefined,
    complete,
    cutLine: ends.some((end) => end.damage.some((damage) => damage.code === 'spool-cut')),
    exit,
    marker,
  };
}

/** Writes a lone spool's text into `file` as it is decoded; the events written. */
async function copySpool(cursor: SpoolCursor, file: FileHandle, afterHeader: string): Promise<number> {
  let headerWritten = false;
  for (;;) {
    const more = await cursor.read();
    if (!headerWritten && cursor.decoder.headerRead) {
      headerWritten = true;
      await writeAll(file, `${cursor.decoder.traceHeader()}\n${afterHeader}`);
    }
    const text = cursor.decoder.takeText();
    if (text.length > 0) await writeAll(file, text);
    if (!more) return cursor.end!.events;
  }
}
