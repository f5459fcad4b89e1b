import { EVENT_LOG_FORMATS, type EventLogFormatName } from './export/event-log/registry.js';
import type { TextOutput } from './io/output.js';
import { readTrace, type ReadTraceOptions, type TraceContext, type TraceSummary } from './parse/read-trace.js';
import { readTraceThreaded } from './parse/threaded/read-trace-threaded.js';

export interface ConvertOptions extends Omit<ReadTraceOptions, 'onBatch'> {
  to: EventLogFormatName;
  /** Parse on a second thread while this one writes (default true; same output either way). */
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
  const read = options.parseThread === false ? readTrace : readTraceThreaded;
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
