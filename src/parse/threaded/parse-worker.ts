// The parsing side of readTraceThreaded: runs readTrace in a worker thread and streams the batches
// (copies, transferred) to the main thread, which analyzes while this thread parses the next ones.
import { parentPort, workerData } from 'node:worker_threads';
import { TraceInputError } from '../../model/diagnostics.js';
import type { FrameTable } from '../../model/frame-table.js';
import { readTrace } from '../read-trace.js';
import { MAX_BATCHES_IN_FLIGHT, type BatchMessage, type WorkerMessage, type WorkerStart } from './protocol.js';

const start = workerData as WorkerStart;
const port = parentPort!;
let inFlight = 0;
let wake: (() => void) | undefined;
port.on('message', () => {
  inFlight--;
  wake?.();
});

let stringsSent = 0;
let framesSent = 0;

/** Names and frames interned since the last message (the main thread mirrors the tables). */
function newEntries(frames: FrameTable): { strings: string[]; frames: number[] } {
  const strings = frames.strings.valuesFrom(stringsSent);
  stringsSent = frames.strings.size;
  const triples: number[] = [];
  for (let id = framesSent; id < frames.size; id++) triples.push(frames.fileId(id), frames.funcId(id), frames.line(id));
  framesSent = frames.size;
  return { strings, frames: triples };
}

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

try {
  const summary = await readTrace(start.path, {
    ...start,
    onBatch: (batch, trace) => {
      const n = batch.length;
      const message: BatchMessage = {
        type: 'batch',
        format: trace.format,
        cost: trace.cost,
        base: trace.time.parts,
        ...newEntries(trace.frames),
        length: n,
        kind: batch.kind.slice(0, n),
        ts: batch.ts.slice(0, n),
        pid: batch.pid.slice(0, n),
        tid: batch.tid.slice(0, n),
        frame: batch.frame.slice(0, n),
        value: batch.value.slice(0, n),
        name: batch.name.slice(0, n),
        srcLine: batch.srcLine.slice(0, n),
      };
      inFlight++;
      post(
        message,
        [
          message.kind,
          message.ts,
          message.pid,
          message.tid,
          message.frame,
          message.value,
          message.name,
          message.srcLine,
        ].map((a) => a.buffer as ArrayBuffer),
      );
    },
    onProgress: (bytesRead, totalBytes) => post({ type: 'progress', bytesRead, totalBytes }),
    afterChunk: async () => {
      while (inFlight >= MAX_BATCHES_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    },
  });
  post({
    type: 'done',
    format: summary.format,
    cost: summary.cost,
    base: summary.time.parts,
    ...newEntries(summary.frames),
    source: summary.source,
    gzip: summary.gzip,
    bytes: summary.bytes,
    lines: summary.lines,
    events: summary.events,
    warnings: summary.warnings,
    metadata: summary.metadata,
  });
} catch (error) {
  const input =
    error instanceof TraceInputError ? { file: error.file, line: error.line, problem: error.problem } : undefined;
  post({
    type: 'error',
    input,
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  });
} finally {
  port.close();
}
