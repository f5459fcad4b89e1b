import { Worker } from 'node:worker_threads';
import { TraceInputError } from '../../model/diagnostics.js';
import { EventBatch } from '../../model/event-batch.js';
import { FrameTable } from '../../model/frame-table.js';
import { TimeBase } from '../../model/time-base.js';
import { readTrace, type ReadTraceOptions, type TraceContext, type TraceSummary } from '../read-trace.js';
import { takePrestartedParseThread } from './prestart.js';
import {
  columnBuffers,
  type AckMessage,
  type BatchMessage,
  type DoneMessage,
  type WorkerMessage,
  type WorkerStart,
} from './protocol.js';

/** How long the analysis may run before the event loop gets a turn (signals, progress). */
const YIELD_MS = 50;

/**
 * readTrace with the parsing on a second thread: the worker reads and parses, this thread gets the
 * batches and runs `onBatch` (an analysis) at the same time, so the two costs overlap instead of
 * adding up. Same results as readTrace: the worker streams the names and frames it interns, and
 * this thread interns them in the same order, so every id is the same. At most a few batches are
 * in flight, so memory stays bounded; `afterChunk` is awaited after each batch before the worker
 * may send another. `-` (stdin) is read in this thread: a worker has no stdin.
 */
export async function readTraceThreaded(path: string, options: ReadTraceOptions = {}): Promise<TraceSummary> {
  if (path === '-' || options.formats !== undefined) return readTrace(path, options);
  const frames = new FrameTable();
  const time = new TimeBase();
  let context: TraceContext | undefined;
  const mirror = (message: BatchMessage | DoneMessage) => {
    for (const value of message.strings) frames.strings.intern(value);
    const triples = message.frames;
    for (let i = 0; i < triples.length; i += 3)
      frames.intern(frames.strings.get(triples[i]), frames.strings.get(triples[i + 1]), triples[i + 2]);
    if (!time.isSet && message.base !== undefined) time.setBase(message.base[0], message.base[1]);
    context ??= { source: path, format: message.format, frames, time, cost: message.cost };
  };
  const work: WorkerStart = {
    path,
    format: options.format,
    reorderWindow: options.reorderWindow,
    batchSize: options.batchSize,
    fastLines: options.fastLines,
    chunkBytes: options.chunkBytes,
    maxFrames: options.maxFrames,
    maxNameBytes: options.maxNameBytes,
  };
  // The thread the launcher started ahead (prestart.ts) gets its work in a message; else one
  // starts now with it.
  const url = new URL('./parse-worker.js', import.meta.url);
  const prestarted = takePrestartedParseThread(url);
  prestarted?.postMessage(work);
  const worker = prestarted ?? new Worker(url, { workerData: work });
  // A port delivers every message already queued in one go, and the worker refills the queue as
  // fast as batches are acknowledged: without a pause the event loop never turns, so Ctrl-C (and
  // any timer) waited for the whole analysis. Every YIELD_MS the acknowledgement waits one turn.
  // The acknowledgement hands the batch back for the worker to fill again: `onBatch` must not
  // keep it (as with readTrace, whose batches are reused too).
  let lastTurn = Date.now();
  const acknowledge = (message: BatchMessage) => {
    const ack: AckMessage =
      message.slot !== undefined ? { type: 'ack', slot: message.slot } : { type: 'ack', columns: message.columns };
    const transfer = ack.columns === undefined ? [] : columnBuffers(ack.columns);
    if (Date.now() - lastTurn < YIELD_MS) return worker.postMessage(ack, transfer);
    setImmediate(() => {
      lastTurn = Date.now();
      worker.postMessage(ack, transfer);
    });
  };
  // The worker's shared batches, by slot: each one's memory arrives once, with its first batch.
  const pool: EventBatch[] = [];
  const batchOf = (message: BatchMessage): EventBatch => {
    if (message.slot === undefined) return EventBatch.wrap({ ...message.columns!, length: message.length });
    if (message.shared !== undefined)
      pool[message.slot] = EventBatch.shared(message.shared.capacity, message.shared.buffer);
    const batch = pool[message.slot];
    batch.length = message.length;
    return batch;
  };
  return new Promise<TraceSummary>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(error);
    };
    worker.on('message', (message: WorkerMessage) => {
      try {
        switch (message.type) {
          case 'batch': {
            mirror(message);
            options.onBatch?.(batchOf(message), context!);
            // A slow consumer (an output stream) pushes back: the worker waits for the
            // acknowledgement, so at most MAX_BATCHES_IN_FLIGHT batches wait here.
            if (options.afterChunk === undefined) acknowledge(message);
            else options.afterChunk().then(() => acknowledge(message), fail);
            break;
          }
          case 'progress':
            options.onProgress?.(message.bytesRead, message.totalBytes);
            break;
          case 'done':
            mirror(message);
            settled = true;
            resolve({
              ...context!,
              source: message.source,
              gzip: message.gzip,
              bytes: message.bytes,
              lines: message.lines,
              events: message.events,
              warnings: message.warnings,
              metadata: message.metadata,
            });
            break;
          case 'error':
            fail(
              message.input
                ? new TraceInputError(message.input.file, message.input.line, message.input.problem)
                : Object.assign(new Error(message.message), { stack: message.stack }),
            );
            break;
        }
      } catch (error) {
        fail(error);
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!settled) fail(new Error(`the parsing thread stopped (exit code ${code}) before the end of ${path}`));
    });
  });
}
