import type { Analysis } from '../../analyze/analysis.js';
import { formatCount } from '../../text/units.js';
import { scriptJson, visibleText } from '../../text/untrusted.js';

/** Tables longer than this start with only ROWS_SHOWN rows, and a button to show the rest. */
export const LARGE_TABLE_ROWS = 5000;
export const ROWS_SHOWN = 1000;

/** The table's columns: header, what a cell holds, and the direction a first click sorts in. */
export const FUNCTION_COLUMNS = [
  { header: 'function', kind: 'text' },
  { header: 'file:line', kind: 'text' },
  { header: 'calls', kind: 'count' },
  { header: 'self', kind: 'ns' },
  { header: 'total', kind: 'ns' },
  { header: 'mean', kind: 'ns' },
  { header: 'p50', kind: 'ns' },
  { header: 'p95', kind: 'ns' },
  { header: 'p99', kind: 'ns' },
  { header: 'partial', kind: 'count' },
] as const;

/** The column a trace with the scheduler's switches adds after `self`: the part of it off the CPU. */
const OFF_CPU_COLUMN = { header: 'off-CPU', kind: 'ns' } as const;

/** With the recording's cost taken out: the uncertainty (±) after self and after total. */
const SELF_ERROR_COLUMN = { header: '± self', kind: 'ns' } as const;
const TOTAL_ERROR_COLUMN = { header: '± total', kind: 'ns' } as const;

/**
 * The table's columns for this analysis: FUNCTION_COLUMNS, with off-CPU after self when known,
 * and the uncertainties after self and total when the recording's cost was taken out.
 */
export function functionColumns(analysis: Analysis): readonly { readonly header: string; readonly kind: string }[] {
  const errors = analysis.recordingCost !== undefined;
  return [
    ...FUNCTION_COLUMNS.slice(0, 4),
    ...(errors ? [SELF_ERROR_COLUMN] : []),
    ...(analysis.scheduling === undefined ? [] : [OFF_CPU_COLUMN]),
    FUNCTION_COLUMNS[4],
    ...(errors ? [TOTAL_ERROR_COLUMN] : []),
    ...FUNCTION_COLUMNS.slice(5),
  ];
}

/** One row per function, in functionColumns order, raw numbers (null: no complete call). */
export type FunctionRow = (string | number | null)[];

export function functionRows(analysis: Analysis): FunctionRow[] {
  const offCpu = analysis.scheduling !== undefined;
  const errors = analysis.recordingCost !== undefined;
  return analysis.functions.map((f) => {
    const d = f.durations;
    return [
      visibleText(f.name),
      visibleText(`${f.file}:${f.line}`),
      f.calls,
      f.selfNs,
      ...(errors ? [Math.round(f.error?.selfNs ?? 0)] : []),
      ...(offCpu ? [f.offCpuNs] : []),
      f.totalNs,
      ...(errors ? [Math.round(f.error?.totalNs ?? 0)] : []),
      d?.meanNs ?? null,
      d?.p50Ns ?? null,
      d?.p95Ns ?? null,
      d?.p99Ns ?? null,
      f.partial,
    ];
  });
}

/**
 * The sortable, filterable table of every function. The rows travel as JSON (escaped for a
 * <script> element) and the page script draws them, so a 100,000-function trace costs one
 * JSON text rather than a million table cells up front.
 */
export function functionsSection(analysis: Analysis): string {
  const rows = functionRows(analysis);
  const heads = functionColumns(analysis)
    .map(
      (column, i) =>
        `<th data-col="${i}" data-kind="${column.kind}" class="${column.kind === 'text' ? 'l' : 'r'}" tabindex="0" aria-sort="none">${column.header}</th>`,
    )
    .join('');
  const body =
    rows.length === 0
      ? `<p class="none">${analysis.callCounts === undefined ? 'no function calls in this trace' : 'no timed calls: a counts-only trace (see Functions by calls)'}</p>`
      : [
          `<div class="controls"><input id="fn-filter" type="search" placeholder="filter by function or file" aria-label="filter functions"> <span id="fn-status"></span> <button id="fn-all" type="button" hidden>show all</button></div>`,
          `<div class="scroll"><table id="fn-table"><thead><tr>${heads}</tr></thead><tbody></tbody></table></div>`,
          `<noscript><p>The table needs JavaScript.</p></noscript>`,
          `<script type="application/json" id="fn-data">${scriptJson({ large: LARGE_TABLE_ROWS, shown: ROWS_SHOWN, rows })}</script>`,
        ].join('\n');
  return `<section id="functions"><h2>Functions (${formatCount(rows.length)})</h2>\n${body}\n</section>`;
}
