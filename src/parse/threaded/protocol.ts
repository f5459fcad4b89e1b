import type { EventColumns } from '../../model/event-batch.js';
import type { RecordingCost } from '../../model/recording-cost.js';
import type { TraceSummary } from '../read-trace.js';

/** What the main thread tells the parsing worker at start (structured-clonable options). */
export interface WorkerStart {
  readonly path: string;
  readonly format?: string;
  readonly reorderWindow?: number;
  readonly batchSize?: number;
  readonly fastLines?: boolean;
  readonly chunkBytes?: number;
  readonly maxFrames?: number;
  readonly maxNameBytes?: number;
}

/** Names and frames interned since the previous message, and the time base once known. */
interface TableUpdate {
  readonly format: string;
  /** The recording's stated cost (plain data). */
  readonly cost?: RecordingCost;
  readonly base: [number, number] | undefined;
  readonly strings: string[];
  /** (fileId, funcId, line) of each new frame, in id order. */
  readonly frames: number[];
}

/**
 * A batch of `length` events: in a shared batch of the pool (`slot`; its memory comes with the
 * first message that uses it), or, past the pool, in `columns` transferred. Either is handed
 * back with the acknowledgement, to be filled again.
 */
export interface BatchMessage extends TableUpdate {
  readonly type: 'batch';
  readonly length: number;
  readonly slot?: number;
  readonly shared?: { readonly buffer: SharedArrayBuffer; readonly capacity: number };
  readonly columns?: EventColumns;
}

/** The main thread is done with a batch: the worker may send another, and fill this one again. */
export interface AckMessage {
  readonly type: 'ack';
  readonly slot?: number;
  readonly columns?: EventColumns;
}

/**
 * Shared batches the worker makes at most: enough for the default reorder window's (16 batches of
 * DEFAULT_BATCH_SIZE), those in flight and the one being filled; more only with a wider window.
 */
export const SHARED_BATCHES = 32;

/** The column arrays of `columns`, for a transfer list. */
export function columnBuffers(columns: EventColumns): ArrayBuffer[] {
  const { kind, ts, pid, tid, frame, value, name, srcLine } = columns;
  return [kind, ts, pid, tid, frame, value, name, srcLine].map((array) => array.buffer as ArrayBuffer);
}

export interface ProgressMessage {
  readonly type: 'progress';
  readonly bytesRead: number;
  readonly totalBytes: number | undefined;
}

/** The end: the summary's plain fields (the tables and time base are mirrored, not sent). */
export interface DoneMessage
  extends TableUpdate,
    Pick<TraceSummary, 'source' | 'gzip' | 'bytes' | 'lines' | 'events' | 'warnings' | 'metadata'> {
  readonly type: 'done';
}

export interface ErrorMessage {
  readonly type: 'error';
  /** Set for a TraceInputError: rebuilt as one on the main thread. */
  readonly input?: { file: string; line: number | undefined; problem: string };
  readonly message: string;
  readonly stack?: string;
}

export type WorkerMessage = BatchMessage | ProgressMessage | DoneMessage | ErrorMessage;

/** Batches the worker may have sent and not yet seen processed (131,072 events): bounds memory. */
export const MAX_BATCHES_IN_FLIGHT = 8;
