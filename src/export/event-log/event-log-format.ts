import type { EventBatch } from '../../model/event-batch.js';
import type { TraceContext } from '../../parse/read-trace.js';

/** Turns normalized events back into text, batch by batch (streamed, never the whole log). */
export interface EventLogWriter {
  /** Text before the first event (a header), possibly empty; `trace` once the input proved readable. */
  begin(trace: TraceContext | undefined): string;
  /** The text of a batch of events. */
  batch(batch: EventBatch, trace: TraceContext): string;
}

export interface EventLogFormat {
  readonly name: string;
  readonly extension: string;
  readonly description: string;
  create(): EventLogWriter;
}
