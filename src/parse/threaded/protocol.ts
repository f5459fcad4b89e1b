import type { Warning } from '../../model/diagnostics.js';

/** What the main thread tells the parsing worker at start (structured-clonable options). */
export interface WorkerStart {
  readonly path: string;
  readonly format?: string;
  readonly reorderWindow?: number;
  readonly batchSize?: number;
  readonly fastLines?: boolean;
  readonly chunkBytes?: number;
}

/** A batch of events, with the names and frames first seen since the previous message. */
export interface BatchMessage {
  readonly type: 'batch';
  readonly format: string;
  readonly base: [number, number] | undefined;
  readonly strings: string[];
  /** (fileId, funcId, line) of each new frame, in id order. */
  readonly frames: number[];
  readonly length: number;
  readonly kind: Uint8Array;
  readonly ts: Float64Array;
  readonly pid: Float64Array;
  readonly tid: Float64Array;
  readonly frame: Int32Array;
  readonly value: Float64Array;
  readonly name: Int32Array;
  readonly srcLine: Float64Array;
}

export interface ProgressMessage {
  readonly type: 'progress';
  readonly bytesRead: number;
  readonly totalBytes: number | undefined;
}

export interface DoneMessage {
  readonly type: 'done';
  readonly format: string;
  readonly base: [number, number] | undefined;
  readonly strings: string[];
  readonly frames: number[];
  readonly source: string;
  readonly gzip: boolean;
  readonly bytes: number;
  readonly lines: number;
  readonly events: number;
  readonly warnings: Warning[];
  readonly metadata: Record<string, string>;
}

export interface ErrorMessage {
  readonly type: 'error';
  /** Set for a TraceInputError: rebuilt as one on the main thread. */
  readonly input?: { file: string; line: number | undefined; problem: string };
  readonly message: string;
  readonly stack?: string;
}

export type WorkerMessage = BatchMessage | ProgressMessage | DoneMessage | ErrorMessage;

/** Batches the worker may have sent and not yet seen processed: bounds memory. */
export const MAX_BATCHES_IN_FLIGHT = 4;
