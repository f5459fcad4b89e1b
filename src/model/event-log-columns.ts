/**
 * The columns of the event log as `pyflame convert --to csv` writes it and the csv parser reads it
 * back (docs/event-log.md). Empty pid/tid = not given by the recorded format.
 */
export const EVENT_LOG_COLUMNS = [
  'ts_ns',
  'pid',
  'tid',
  'event',
  'file',
  'function',
  'line',
  'value',
  'name',
  'source_line',
] as const;

export type EventLogColumn = (typeof EVENT_LOG_COLUMNS)[number];

export const EVENT_LOG_HEADER = EVENT_LOG_COLUMNS.join(',');
