import { EventKind } from '../model/event-kind.js';
import { NO_REF, UNKNOWN_ID } from '../model/event-batch.js';
import { VALUE_LIMIT, valueInRange } from '../model/limits.js';
import type { EventWriter } from './event-writer.js';

interface NoticePattern {
  readonly pattern: RegExp;
  /** Warning code. */
  readonly code: 'dropped-events' | 'tracer-error' | 'tracer-warning';
  /** Which capture group holds the number of lost events, if any. */
  readonly countGroup?: number;
}

// What the tracers print between events when they lose data or hit errors. Drop counts become
// Dropped events in the log (analyses must know a gap is there) and a counted warning.
const NOTICES: readonly NoticePattern[] = [
  // DTrace: "dtrace: 1532 drops on CPU 1", "dtrace: 12 dynamic variable drops", "... aggregation drops"
  { pattern: /^dtrace: (\d+) (?:[a-z -]*)drops?\b/, code: 'dropped-events', countGroup: 1 },
  { pattern: /^dtrace: (?:error|failed|invalid)/, code: 'tracer-error' },
  // SystemTap: "WARNING: Number of errors: 0, skipped probes: 12"
  { pattern: /^WARNING: Number of errors: \d+, skipped probes: (\d+)/, code: 'dropped-events', countGroup: 1 },
  // SystemTap: "WARNING: There were 37 transport failures." (messages lost between kernel and stapio)
  { pattern: /^WARNING: There were (\d+) transport failures/, code: 'dropped-events', countGroup: 1 },
  // bpftrace: "Lost 37 events"
  { pattern: /^Lost (\d+) events/, code: 'dropped-events', countGroup: 1 },
  { pattern: /^(?:ERROR|ERROR:|error:)/, code: 'tracer-error' },
  { pattern: /^WARNING:/, code: 'tracer-warning' },
];

/** Is `line` one of the tracers' own messages? */
export function isTracerNotice(line: string): boolean {
  return NOTICES.some((notice) => notice.pattern.test(line));
}

/**
 * Recognizes a tracer's own message (drops, errors, warnings) and records it. Returns false when
 * `line` is not one.
 */
export function readTracerNotice(line: string, lineNo: number, writer: EventWriter): boolean {
  for (const notice of NOTICES) {
    const match = notice.pattern.exec(line);
    if (match === null) continue;
    const message = line.trim();
    if (notice.code === 'dropped-events') {
      const lost = notice.countGroup === undefined ? 0 : Number(match[notice.countGroup]);
      if (!valueInRange(lost)) {
        writer.outOfRange('count of lost events', match[notice.countGroup!], VALUE_LIMIT, lineNo);
      } else if (lost > 0) {
        writer.emit(
          EventKind.Dropped,
          writer.lastTs,
          UNKNOWN_ID,
          UNKNOWN_ID,
          NO_REF,
          lost,
          writer.name(message, lineNo),
          lineNo,
        );
        writer.diagnostics.warn(
          'dropped-events',
          `the tracer reported lost events (first: "${message}"); calls around them may be incomplete`,
          lineNo,
          lost,
          'events lost',
        );
      }
    } else {
      writer.diagnostics.warn(notice.code, `the tracer said: ${message}`, lineNo);
    }
    return true;
  }
  return false;
}
