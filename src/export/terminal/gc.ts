import type { Analysis } from '../../analyze/analysis.js';
import { durationHistogram, type HistogramBucket } from '../../analyze/gc-histogram.js';
import { terminalText } from '../../text/untrusted.js';
import { formatCount, formatDuration, formatDurationShort, formatId, formatShare } from '../../text/units.js';
import { heading, renderTable, type ReportStyle } from './table.js';
import { textWidth, truncateStart } from '../../text/fit.js';

const BAR_WIDTH = 40;
const GC_STACKS = 5;

/** A bucket's label: `1 µs–2 µs` (`0 ns` for the bucket of zero-length pauses). */
export function bucketLabel(bucket: HistogramBucket): string {
  if (bucket.fromNs === 0 && bucket.toNs <= 1) return '0 ns';
  return `${formatDurationShort(bucket.fromNs)}–${formatDurationShort(bucket.toNs)}`;
}

/** Histogram lines: label, a bar of █ scaled to the largest count, the count. */
export function renderHistogram(buckets: readonly HistogramBucket[], style: ReportStyle, indent = 4): string[] {
  if (buckets.length === 0) return [];
  const max = Math.max(...buckets.map((bucket) => bucket.count));
  const labels = buckets.map(bucketLabel);
  const labelWidth = Math.max(...labels.map(textWidth));
  const countWidth = Math.max(...buckets.map((bucket) => formatCount(bucket.count).length));
  const room = Math.max(10, Math.min(BAR_WIDTH, style.width - indent - labelWidth - countWidth - 4));
  return buckets.map((bucket, i) => {
    const length = bucket.count === 0 ? 0 : Math.max(1, Math.round((bucket.count / max) * room));
    const bar = style.colors.cyan('█'.repeat(length)) + ' '.repeat(room - length);
    return `${' '.repeat(indent)}${labels[i].padStart(labelWidth)}  ${bar}  ${formatCount(bucket.count).padStart(countWidth)}`.trimEnd();
  });
}

/** A stack as `a > b > c`, cut from the left (`… > b > c`) to fit `max`. */
export function stackText(names: readonly string[], max: number): string {
  if (names.length === 0) return '(no Python frame: between calls, or at startup/shutdown)';
  const safe = names.map(terminalText);
  const full = safe.join(' > ');
  if (textWidth(full) <= max) return full;
  // Drop frames from the root end while the rest does not fit.
  for (let from = 1; from < safe.length; from++) {
    const text = `… > ${safe.slice(from).join(' > ')}`;
    if (textWidth(text) <= max) return text;
  }
  return truncateStart(safe[safe.length - 1], max);
}

/** GC: pauses, total, wall share; per generation; histogram of pause durations; causing stacks. */
export function renderGc(analysis: Analysis, style: ReportStyle): string[] {
  const gc = analysis.gc;
  if (gc.pauses.length === 0) return [];
  const lines = [
    heading(
      `Garbage collection: ${formatCount(gc.pauses.length)} pause${gc.pauses.length === 1 ? '' : 's'}, ${formatDuration(gc.totalPauseNs)} in all, ${formatShare(gc.wallShare)} of wall time`,
      style,
    ),
    ...renderTable(
      [
        { header: 'generation', align: 'right' },
        { header: 'count', align: 'right' },
        { header: 'total', align: 'right' },
        { header: 'max', align: 'right' },
        { header: 'p50', align: 'right' },
        { header: 'p95', align: 'right' },
        { header: 'p99', align: 'right' },
      ],
      gc.byGeneration.map((g) => [
        String(g.generation),
        formatCount(g.count),
        formatDuration(g.totalNs),
        formatDuration(g.maxNs),
        formatDuration(g.p50Ns),
        formatDuration(g.p95Ns),
        formatDuration(g.p99Ns),
      ]),
      style,
    ),
    '',
    '  Pause durations:',
    ...renderHistogram(durationHistogram(gc.pauses.map((pause) => pause.durationNs)), style),
  ];
  const causes = gc.attribution.slice(0, GC_STACKS);
  if (causes.length > 0) {
    const functions = analysis.functionTable;
    const manyThreads =
      new Set(causes.map((cause) => `${cause.pid}/${cause.tid}`)).size > 1 || analysis.threads.length > 1;
    const rows = causes.map((cause) => [
      formatDuration(cause.totalNs),
      `${formatCount(cause.count)}×`,
      ...(manyThreads ? [formatId(cause.tid)] : []),
      '',
    ]);
    lines.push(
      '',
      '  Where collections started (Python stack running; time in those collections):',
      ...renderTable(
        [
          { header: 'time', align: 'right' },
          { header: 'count', align: 'right' },
          ...(manyThreads ? [{ header: 'tid', align: 'right' as const }] : []),
          {
            header: 'stack',
            align: 'left',
            fit: (r, max) =>
              stackText(
                causes[r].stack.map((fn) => functions.name(fn)),
                max,
              ),
          },
        ],
        rows,
        style,
        4,
      ),
    );
  }
  return lines;
}
