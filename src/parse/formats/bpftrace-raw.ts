import type { Diagnostics } from '../../model/diagnostics.js';
import type { EventWriter } from '../event-writer.js';
import { latin1 } from '../scan.js';
import { isTracerNotice } from '../tracer-notices.js';
import type { Detection, LineParser, RejectedLine, TraceFormat } from '../trace-format.js';
import { detectPyflameLines, PyflameLineParser } from './pyflame-tsv.js';

const ATTACHING = /^Attaching \d+ probes?\.\.\./;
const MAP_LINE = /^@[A-Za-z_0-9]*(?:\[.*\])?:/;

/**
 * Raw bpftrace output of probes/pyflame.bt: pyflame's event lines, plus what bpftrace prints itself:
 * "Attaching N probes..." first, and the maps it dumps on exit (`@name[key]: value`, histogram
 * rows). "Lost N events" is a tracer notice, read by the shared notice reader.
 */
class BpftraceLineParser implements LineParser {
  private readonly events: PyflameLineParser;
  private inMapDump = false;

  /** The lines the WebAssembly loop stops at come back here (event lines it could not take too). */
  private readonly lineFn = (bytes: Buffer, start: number, end: number, lineNo: number) =>
    this.line(bytes, start, end, lineNo);

  constructor(writer: EventWriter) {
    this.events = new PyflameLineParser(writer);
    if (!this.events.hasFastLines) this.lines = undefined;
  }

  /**
   * Runs of lines through pyflame's WebAssembly loop: a recording of probes/pyflame.bt is
   * pyflame's format between bpftrace's own first and last lines, and as large.
   */
  lines?(bytes: Buffer, start: number, end: number, firstLineNo: number, reject: RejectedLine): number {
    return this.events.linesVia(bytes, start, end, firstLineNo, this.lineFn, reject);
  }

  get metadata(): ReadonlyMap<string, string> {
    return this.events.metadata;
  }

  line(bytes: Buffer, start: number, end: number, lineNo: number): boolean {
    if (this.events.line(bytes, start, end, lineNo)) return true;
    const line = latin1(bytes, start, end);
    if (ATTACHING.test(line)) return true;
    if (MAP_LINE.test(line)) {
      this.inMapDump = true;
      return true;
    }
    // Histogram rows and other continuation lines of a map dump at the end; the tracer's own
    // messages there still count (the reader reports them).
    return this.inMapDump && !isTracerNotice(line);
  }

  finish(): void {}
}

export const bpftraceFormat: TraceFormat = {
  name: 'bpftrace',
  description: 'raw bpftrace output of probes/pyflame.bt ("Attaching N probes...", event lines, map dumps)',
  detect(head: readonly string[]): Detection {
    if (!head.some((line) => ATTACHING.test(line))) return 'no';
    return detectPyflameLines(head) === 'yes' ? 'yes' : 'maybe';
  },
  createParser: (writer: EventWriter, _diagnostics: Diagnostics) => new BpftraceLineParser(writer),
};
