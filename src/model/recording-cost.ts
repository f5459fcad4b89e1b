import { EVENT_KIND_NAMES, EventKind } from './event-kind.js';

/** What one probe firing of a kind costs the traced program, from the recorder's calibration (ns). */
export interface FiringCost {
  /** Mean cost of one firing: what the program lost to it. */
  readonly cost: number;
  /** Half-width of the uncertainty of `cost`. */
  readonly err: number;
  /** The part of `cost` spent before the recorded timestamp was taken (0..cost). */
  readonly before: number;
}

/**
 * A recording's statement of its own cost: the `# pyflame-cost v1` line that `pyflame record`
 * writes after the header (docs/formats.md). Plain data, so it crosses to the parse worker and back.
 */
export interface RecordingCost {
  /** By event kind (EventKind), the cost of one firing; kinds not listed cost nothing. */
  readonly byKind: readonly (FiringCost | undefined)[];
  /** Every field of the line as written (recorder, python, runs, ...), for the report and JSON. */
  readonly fields: Readonly<Record<string, string>>;
}

const COST_LINE = /^#\s*pyflame-cost\s+v1(\s|$)/;
/** Kinds whose firings a recorder can state a cost for (the rest are not probe firings). */
const COSTED_KINDS: readonly EventKind[] = [
  EventKind.Entry,
  EventKind.Return,
  EventKind.Line,
  EventKind.GcStart,
  EventKind.GcDone,
  EventKind.ImportStart,
  EventKind.ImportDone,
  EventKind.Audit,
  EventKind.Unwritten,
];

export function isCostLine(line: string): boolean {
  return COST_LINE.test(line);
}

/**
 * The cost stated by a `# pyflame-cost v1 ... entry=COST,ERR,BEFORE ...` line, or a message
 * saying what is wrong with it. Values are nanoseconds: finite, not negative, BEFORE at most COST.
 */
export function parseCostLine(line: string, fields: [string, string][]): RecordingCost | string {
  const byKind: (FiringCost | undefined)[] = [];
  const all: Record<string, string> = {};
  for (const [key, value] of fields) {
    all[key] = value;
    const kind = COSTED_KINDS.find((k) => EVENT_KIND_NAMES[k] === key);
    if (kind === undefined) continue;
    const parts = value.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
    if (parts.length !== 3 || parts.some((part) => !Number.isFinite(part) || part < 0))
      return `${key}=${value}: expected COST,ERR,BEFORE in nanoseconds (three numbers, none negative)`;
    const [cost, err, before] = parts as [number, number, number];
    if (before > cost) return `${key}=${value}: BEFORE (${before}) exceeds COST (${cost})`;
    byKind[kind] = { cost, err, before };
  }
  if (byKind.every((entry) => entry === undefined)) return `no cost of any event kind in: ${line.slice(0, 120)}`;
  return { byKind, fields: all };
}

/** The `# pyflame-cost v1 ...` line of a stated cost, fields in their written order (no line end). */
export function costLineText(cost: RecordingCost): string {
  return ['# pyflame-cost v1', ...Object.entries(cost.fields).map(([key, value]) => `${key}=${value}`)].join(' ');
}
