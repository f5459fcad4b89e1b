import { csvEventLog } from './csv.js';
import type { EventLogFormat } from './event-log-format.js';
import { jsonlEventLog } from './jsonl.js';

export type EventLogFormatName = 'csv' | 'jsonl';

/** Every event-log output, by name: a missing one is a compile error. */
export const EVENT_LOG_FORMATS: Record<EventLogFormatName, EventLogFormat> = {
  csv: csvEventLog,
  jsonl: jsonlEventLog,
};
