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
}

export interface EventLogFormat {
  readonly name: string;
  readonly extension: string;
  readonly description: string;
  create(): EventLogWriter;
}
