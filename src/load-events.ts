import { EVENT_KIND_NAMES } from './model/event-kind.js';
import { NO_REF, UNKNOWN_ID } from './model/event-batch.js';
import { readTrace, type ReadTraceOptions, type TraceSummary } from './parse/read-trace.js';

/** One event as a plain object: for tests, small traces and scripting, not for large traces. */
export interface LoadedEvent {
  /** Exact recorded timestamp, as a decimal string of ns. */
  readonly ts: string;
  readonly pid?: number;
  readonly tid?: number;
  readonly kind: string;
  readonly file?: string;
  readonly func?: string;
  readonly line?: number;
  readonly value: number;
  readonly name?: string;
  readonly srcLine: number;
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
        const frame = batch.frame[i];
        const name = batch.name[i];
        events.push({
          ts: time.absolute(batch.ts[i]),
          ...(batch.pid[i] === UNKNOWN_ID ? {} : { pid: batch.pid[i] }),
          ...(batch.tid[i] === UNKNOWN_ID ? {} : { tid: batch.tid[i] }),
          kind: EVENT_KIND_NAMES[batch.kind[i]],
          ...(frame === NO_REF ? {} : { file: frames.file(frame), func: frames.func(frame), line: frames.line(frame) }),
          value: batch.value[i],
          ...(name === NO_REF ? {} : { name: frames.strings.get(name) }),
          srcLine: batch.srcLine[i],
        });
      }
    },
  });
  return { summary, events };
}
