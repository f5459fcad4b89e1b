import type { Detection, TraceFormat } from './trace-format.js';
import { bpftraceFormat } from './formats/bpftrace-raw.js';
import { csvEventLogFormat } from './formats/csv-event-log.js';
import { dtraceCallStackFormat } from './formats/dtrace-call-stack.js';
import { pyflameFormat } from './formats/pyflame-tsv.js';
import { stapCallHierarchyFormat } from './formats/stap-call-hierarchy.js';
import { stapTopFormat } from './formats/stap-top.js';

/**
 * Every recorded format pyflame reads, in detection order: the first format whose detector says
 * "yes" wins, else the first "maybe". More specific formats come first (raw bpftrace output is
 * pyflame's format plus bpftrace's own lines).
 */
export const TRACE_FORMATS: readonly TraceFormat[] = [
  bpftraceFormat,
  pyflameFormat,
  csvEventLogFormat,
  dtraceCallStackFormat,
  stapCallHierarchyFormat,
  stapTopFormat,
];

export function formatNames(formats: readonly TraceFormat[] = TRACE_FORMATS): string[] {
  return formats.map((format) => format.name);
}

export function findFormat(name: string, formats: readonly TraceFormat[] = TRACE_FORMATS): TraceFormat | undefined {
  return formats.find((format) => format.name === name);
}

/** The format the head of a file is in, or undefined when no format claims it. */
export function detectFormat(
  head: readonly string[],
  formats: readonly TraceFormat[] = TRACE_FORMATS,
): TraceFormat | undefined {
  let maybe: TraceFormat | undefined;
  for (const format of formats) {
    const answer: Detection = format.detect(head);
    if (answer === 'yes') return format;
    if (answer === 'maybe' && maybe === undefined) maybe = format;
  }
  return maybe;
}
