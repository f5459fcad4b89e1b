import { EVENT_LOG_FORMATS, type EventLogFormatName } from './export/event-log/registry.js';
import type { TextOutput } from './io/output.js';
import type { ReadTraceOptions, TraceContext, TraceSummary } from './parse/read-trace.js';
import { readerFor } from './parse/threaded/thread-threshold.js';

export interface ConvertOptions extends Omit<ReadTraceOptions, 'onBatch'> {
  to: EventLogFormatName;
  /**
   * Parse on a second thread while this one writes: true, false, or (default) when the trace is
   * big enough for the thread to pay (THREAD_MIN_BYTES). Same output either way.
   */
  readonly parseThread?: boolean;
}

/** Streams a recorded trace into an event log (CSV or JSONL) on `output`. */
export async function convertTrace(input: string, output: TextOutput, options: ConvertOptions): Promise<TraceSummary> {
  const writer = EVENT_LOG_FORMATS[options.to].create();
  let begun = false;
  const begin = (trace: TraceContext | undefined) => {
    // Only once the input has proved readable, so that a failed run writes nothing to stdout.
    if (!begun) output.write(writer.begin(trace));
    begun = true;
  };
  const write = (bytes: Uint8Array) => output.write(bytes);
  const read = await readerFor(input, options.parseThread);
  const summary = await read(input, {
    ...options,
    onBatch: (batch, trace) => {
      begin(trace);
      writer.batch(batch, trace, write);
    },
    afterChunk: () => output.drain(),
  });
  begin(summary);
  return summary;
}
