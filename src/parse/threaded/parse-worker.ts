// The parsing side of readTraceThreaded: runs readTrace in a worker thread and streams the batches
// (in shared memory) to the main thread, which analyzes while this thread parses the next ones.
import { parentPort, workerData } from 'node:worker_threads';
import { TraceInputError } from '../../model/diagnostics.js';
import { DEFAULT_BATCH_SIZE, EventBatch } from '../../model/event-batch.js';
import type { FrameTable } from '../../model/frame-table.js';
import { prepareFastLines } from '../fast-lines.js';
import { readTrace } from '../read-trace.js';
import {
  columnBuffers,
  MAX_BATCHES_IN_FLIGHT,
  SHARED_BATCHES,
  type AckMessage,
  type BatchMessage,
  type WorkerMessage,
  type WorkerStart,
} from './protocol.js';

const port = parentPort!;
/**
 * Its work: in workerData, or, for a thread started ahead of it (prestart.ts), in the first
 * message, which it waits for with its modules loaded and the WebAssembly loop compiled.
 */
const start: WorkerStart =
  (workerData as WorkerStart | undefined) ??
  (await new Promise<WorkerStart>((resolve) => {
    prepareFastLines();
    port.once('message', resolve);
  }));
let inFlight = 0;
let wake: (() => void) | undefined;
/**
 * The batches the reader fills, made in shared memory (EventBatch.shared) and passed to the main
 * thread by their place in this pool, then handed back with its acknowledgement to be filled
 * again: no copy, no transfer, no allocation per batch (each transfer allocated ~3 MB, and the
 * churn kept both threads' garbage collectors busy). Past SHARED_BATCHES in use (a wide reorder
 * window holds more), the reader makes ordinary batches, whose arrays are transferred.
 */
const pool: EventBatch[] = [];
const slotOf = new WeakMap<EventBatch, number>();
/** Slots the main thread has seen the memory of. */
const announced: boolean[] = [];
const free: EventBatch[] = [];
const batchSize = start.batchSize ?? DEFAULT_BATCH_SIZE;
port.on('message', (ack: AckMessage) => {
  inFlight--;
  if (ack.slot !== undefined) free.push(pool[ack.slot]);
  wake?.();
});

/** An empty batch to fill: a shared one handed back, or a new one while the pool has room. */
function spareBatch(): EventBatch | undefined {
  const batch = free.pop();
  if (batch !== undefined || pool.length >= SHARED_BATCHES) return batch;
  const made = EventBatch.shared(batchSize);
  slotOf.set(made, pool.length);
  pool.push(made);
  return made;
}

/** How `batch`'s events cross to the main thread: by its slot, or in its own arrays, transferred. */
function carried(batch: EventBatch): Pick<BatchMessage, 'slot' | 'shared' | 'columns'> {
  const slot = slotOf.get(batch);
  if (slot === undefined) {
    const { length, kind, ts, pid, tid, frame, value, name, srcLine } = batch;
    return { columns: { length, kind, ts, pid, tid, frame, value, name, srcLine } };
  }
  if (announced[slot] === true) return { slot };
  announced[slot] = true;
  return { slot, shared: { buffer: batch.ts.buffer as SharedArrayBuffer, capacity: batch.capacity } };
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
    keepsBatches: true,
    spareBatch,
    onBatch: (batch, trace) => {
      const message: BatchMessage = {
        type: 'batch',
        format: trace.format,
        cost: trace.cost,
        base: trace.time.parts,
        ...newEntries(trace.frames),
        length: batch.length,
        ...carried(batch),
      };
      inFlight++;
      post(message, message.columns === undefined ? [] : columnBuffers(message.columns));
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
