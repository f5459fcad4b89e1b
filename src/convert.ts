import { EVENT_LOG_FORMATS, type EventLogFormatName } from './export/event-log/registry.js';
import type { TextOutput } from './io/output.js';
import { readTrace, type ReadTraceOptions, type TraceContext, type TraceSummary } from './parse/read-trace.js';

export interface ConvertOptions extends Omit<ReadTraceOptions, 'onBatch'> {
  to: EventLogFormatName;
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
  const summary = await readTrace(input, {
    ...options,
    onBatch: (batch, trace) => {
      begin(trace);
      output.write(writer.batch(batch, trace));
    },
    afterChunk: () => output.drain(),
  });
  begin(summary);
  return summary;
}
