import type { EventBatch } from '../../model/event-batch.js';
import type { TraceContext } from '../../parse/read-trace.js';

/** Turns normalized events back into text, batch by batch (streamed, never the whole log). */
export interface EventLogWriter {
  /** Text before the first event (a header), possibly empty; `trace` once the input proved readable. */
  begin(trace: TraceContext | undefined): string;
  /**
   * Writes the text of a batch of events, as UTF-8 bytes, to `write`, in one or more pieces, all
   * before returning. A piece handed to `write` is never changed afterwards (it may be kept).
   */
  batch(batch: EventBatch, trace: TraceContext, write: (bytes: Uint8Array) => void): void;
  /** The text of a batch of events, as a string (the form of 0.1's library API; slower). */
  batch(batch: EventBatch, trace: TraceContext): string;
}

/**
 * A writer's batch() for both forms: with `write`, the bytes go there; without, they are gathered
 * and returned as one string (EventLogWriter's older form, kept for library users).
 */
export function batchText(
  writeBytes: (write: (bytes: Uint8Array) => void) => void,
  write: ((bytes: Uint8Array) => void) | undefined,
): string | undefined {
  if (write !== undefined) {
    writeBytes(write);
    return undefined;
  }
  const pieces: Uint8Array[] = [];
  // Pieces are never changed once handed over, so they can be kept and joined at the end.
  writeBytes((bytes) => pieces.push(bytes));
  return Buffer.concat(pieces).toString('utf8');
}

export interface EventLogFormat {
  readonly name: string;
  readonly extension: string;
  readonly description: string;
  create(): EventLogWriter;
}
