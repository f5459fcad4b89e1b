import { kindHasValue } from './export/event-log/csv.js';
import { NO_REF, UNKNOWN_ID } from './model/event-batch.js';
import { EVENT_KIND_NAMES, kindHasFrame } from './model/event-kind.js';
import { readTrace, type ReadTraceOptions, type TraceSummary } from './parse/read-trace.js';

/**
 * One event as a plain object, with the fields and names of a JSONL event log line
 * (docs/event-log.md): for tests, small traces and scripting, not for large traces.
 */
export interface LoadedEvent {
  /** Exact recorded timestamp in ns, as a decimal string. */
  readonly ts_ns: string;
  readonly pid?: number;
  readonly tid?: number;
  readonly event: string;
  readonly file?: string;
  readonly function?: string;
  readonly line?: number;
  readonly value?: number;
  readonly name?: string;
  readonly source_line: number;
}

export interface LoadedTrace {
  readonly summary: TraceSummary;
  readonly events: LoadedEvent[];
}

/** Reads a whole trace into plain objects (holds every event in memory). */
export async function loadEvents(path: string, options: Omit<ReadTraceOptions, 'onBatch'> = {}): Promise<LoadedTrace> {
  const events: LoadedEvent[] = [];
  const summary = await readTrace(path, {
    ...options,
    onBatch: (batch, { frames, time }) => {
      for (let i = 0; i < batch.length; i++) {
        const kind = batch.kind[i];
        const frame = batch.frame[i];
        const name = batch.name[i];
        events.push({
          ts_ns: time.absolute(batch.ts[i]),
          ...(batch.pid[i] === UNKNOWN_ID ? {} : { pid: batch.pid[i] }),
          ...(batch.tid[i] === UNKNOWN_ID ? {} : { tid: batch.tid[i] }),
          event: EVENT_KIND_NAMES[kind],
          ...(kindHasFrame(kind) && frame !== NO_REF
            ? { file: frames.file(frame), function: frames.func(frame), line: frames.line(frame) }
            : {}),
          ...(kindHasValue(kind) ? { value: batch.value[i] } : {}),
          ...(name === NO_REF ? {} : { name: frames.strings.get(name) }),
          source_line: batch.srcLine[i],
        });
      }
    },
  });
  return { summary, events };
}
