import { NO_REF, UNKNOWN_ID, type EventBatch } from '../../model/event-batch.js';
import { EVENT_KIND_NAMES, kindHasFrame } from '../../model/event-kind.js';
import type { TraceContext } from '../../parse/read-trace.js';
import { kindHasValue } from './csv.js';
import type { EventLogFormat, EventLogWriter } from './event-log-format.js';

/**
 * One JSON object per event. `ts_ns` is a string: recorded clocks can exceed 2^53 and JSON readers
 * would round the number.
 */
class JsonlWriter implements EventLogWriter {
  private readonly json = new Map<number, string>();

  begin(_trace: TraceContext | undefined): string {
    return '';
  }

  batch(batch: EventBatch, trace: TraceContext): string {
    const { frames, time } = trace;
    let out = '';
    for (let i = 0; i < batch.length; i++) {
      const kind = batch.kind[i];
      let line = `{"ts_ns":"${time.absolute(batch.ts[i])}"`;
      if (batch.pid[i] !== UNKNOWN_ID) line += `,"pid":${batch.pid[i]}`;
      if (batch.tid[i] !== UNKNOWN_ID) line += `,"tid":${batch.tid[i]}`;
      line += `,"event":"${EVENT_KIND_NAMES[kind]}"`;
      const frame = batch.frame[i];
      if (kindHasFrame(kind) && frame !== NO_REF) {
        line += `,"file":${this.string(frames.fileId(frame), trace)},"function":${this.string(frames.funcId(frame), trace)},"line":${frames.line(frame)}`;
      }
      if (kindHasValue(kind)) line += `,"value":${batch.value[i]}`;
      if (batch.name[i] !== NO_REF) line += `,"name":${this.string(batch.name[i], trace)}`;
      out += `${line},"source_line":${batch.srcLine[i]}}\n`;
    }
    return out;
  }

  private string(id: number, trace: TraceContext): string {
    let json = this.json.get(id);
    if (json === undefined) {
      json = JSON.stringify(trace.frames.strings.get(id));
      this.json.set(id, json);
    }
    return json;
  }
}

export const jsonlEventLog: EventLogFormat = {
  name: 'jsonl',
  extension: 'jsonl',
  description: 'one JSON object per event (ts_ns as a string, exact)',
  create: () => new JsonlWriter(),
};
