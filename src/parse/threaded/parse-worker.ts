// The parsing side of readTraceThreaded: runs readTrace in a worker thread and streams the batches
// (copies, transferred) to the main thread, which analyzes while this thread parses the next ones.
import { parentPort, workerData } from 'node:worker_threads';
import { TraceInputError } from '../../model/diagnostics.js';
import { EventBatch, type EventColumns } from '../../model/event-batch.js';
import type { FrameTable } from '../../model/frame-table.js';
import { readTrace } from '../read-trace.js';
import {
  columnBuffers,
  MAX_BATCHES_IN_FLIGHT,
  type AckMessage,
  type BatchMessage,
  type WorkerMessage,
  type WorkerStart,
} from './protocol.js';

const start = workerData as WorkerStart;
const port = parentPort!;
let inFlight = 0;
let wake: (() => void) | undefined;
/**
 * Column arrays the main thread has finished with, sent back with its acknowledgement: batches
 * are copied into them rather than into new ones (~3 MB a batch, hundreds of MB for a large
 * trace, which both threads' garbage collectors had to reclaim).
 */
const spare: EventColumns[] = [];
port.on('message', (ack: AckMessage) => {
  inFlight--;
  spare.push(ack.columns);
  wake?.();
});

/** The columns of `batch`'s first `n` events, in spare arrays when they are large enough. */
function copyColumns(batch: EventBatch, n: number): EventColumns {
  let into: EventColumns | undefined = spare.pop();
  if (into === undefined || into.kind.length < n) into = new EventBatch(Math.max(n, batch.capacity));
  into.kind.set(batch.kind.subarray(0, n));
  into.ts.set(batch.ts.subarray(0, n));
  into.pid.set(batch.pid.subarray(0, n));
  into.tid.set(batch.tid.subarray(0, n));
  into.frame.set(batch.frame.subarray(0, n));
  into.value.set(batch.value.subarray(0, n));
  into.name.set(batch.name.subarray(0, n));
  into.srcLine.set(batch.srcLine.subarray(0, n));
  return into;
}

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
      const { kind, ts, pid, tid, frame, value, name, srcLine } = copyColumns(batch, n);
      const message: BatchMessage = {
        type: 'batch',
        format: trace.format,
        cost: trace.cost,
        base: trace.time.parts,
        ...newEntries(trace.frames),
        length: n,
        kind,
        ts,
        pid,
        tid,
        frame,
        value,
        name,
        srcLine,
      };
      inFlight++;
      post(message, columnBuffers(message));
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
