import { NO_REF, UNKNOWN_ID, type EventBatch } from '../../model/event-batch.js';
import { EVENT_KIND_NAMES, EventKind, kindHasFrame } from '../../model/event-kind.js';
import { EVENT_LOG_HEADER } from '../../model/event-log-columns.js';
import { costLineText } from '../../model/recording-cost.js';
import type { TraceContext } from '../../parse/read-trace.js';
import { csvField, csvTextField, csvTextValue } from '../../model/csv-text.js';
import type { EventLogFormat, EventLogWriter } from './event-log-format.js';

export { csvField, csvTextField, csvTextValue };

/** The kinds whose `value` column means something (others leave it empty). */
export function kindHasValue(kind: number): boolean {
  return (
    kind === EventKind.GcStart ||
    kind === EventKind.GcDone ||
    kind === EventKind.ImportDone ||
    kind === EventKind.CallCount ||
    kind === EventKind.Dropped ||
    kind === EventKind.OffCpu ||
    kind === EventKind.Unwritten
  );
}

class CsvWriter implements EventLogWriter {
  private readonly quoted = new Map<number, string>();

  begin(trace: TraceContext | undefined): string {
    // The recording's stated cost goes along (the CSV reader reads it as the trace's own does).
    const cost = trace?.cost === undefined ? '' : `${costLineText(trace.cost)}\n`;
    return `${cost}${EVENT_LOG_HEADER}\n`;
  }

  batch(batch: EventBatch, trace: TraceContext): string {
    const { frames, time } = trace;
    const rows: string[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const kind = batch.kind[i];
      const frame = batch.frame[i];
      const hasFrame = kindHasFrame(kind) && frame !== NO_REF;
      const name = batch.name[i];
      rows[i] = [
        time.absolute(batch.ts[i]),
        batch.pid[i] === UNKNOWN_ID ? '' : String(batch.pid[i]),
        batch.tid[i] === UNKNOWN_ID ? '' : String(batch.tid[i]),
        EVENT_KIND_NAMES[kind],
        hasFrame ? this.field(frames.fileId(frame), trace) : '',
        hasFrame ? this.field(frames.funcId(frame), trace) : '',
        hasFrame ? String(frames.line(frame)) : '',
        kindHasValue(kind) ? String(batch.value[i]) : '',
        name === NO_REF ? '' : this.field(name, trace),
        String(batch.srcLine[i]),
      ].join(',');
    }
    return rows.length === 0 ? '' : `${rows.join('\n')}\n`;
  }

  /** The quoted field for string id `id`, cached: names repeat on every event. */
  private field(id: number, trace: TraceContext): string {
    let quoted = this.quoted.get(id);
    if (quoted === undefined) {
      quoted = csvTextField(trace.frames.strings.get(id));
      this.quoted.set(id, quoted);
    }
    return quoted;
  }
}

export const csvEventLog: EventLogFormat = {
  name: 'csv',
  extension: 'csv',
  description: 'one row per event: ' + EVENT_LOG_HEADER,
  create: () => new CsvWriter(),
};
