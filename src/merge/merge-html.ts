import { functionLabel } from '../text/function-label.js';
import { formatCount, formatDuration, formatShare } from '../text/units.js';
import { htmlText } from '../text/untrusted.js';
import type { Json } from './document-fields.js';
import { approximate, functionFigures, type FunctionRow } from './merge-report.js';

/** Rows of the page's function table. */
const FUNCTION_ROWS = 200;

/**
 * The page may load nothing from anywhere: its styles are inline, and so is the flame graph, with
 * its script (the SVG's own, which works inlined in a page: svg-browser.test).
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse}th,td{padding:2px 10px;text-align:right;white-space:nowrap}
th{border-bottom:1px solid #999}td.name,th.name{text-align:left;white-space:normal}
tr:nth-child(even) td{background:#f4f4f4}.note{color:#555}
.flame{border:1px solid #ccc}`;

/**
 * One offline page of a merged document: the runs, the flame graph (the merged SVG, interactive,
 * inlined), the functions by self time with their approximate percentiles, GC by generation,
 * the runs listed and the warnings. Every name is escaped.
 */
export function mergeHtmlPage(document: Json, flameGraphSvg: string): string {
  const merge = document.merge as {
    runs: { source: string; format: string; durationNs: number; events: number; threads: number }[];
    percentiles: { relativeError: number };
  };
  const trace = document.trace as { durationNs: number; events: number; droppedEvents: number };
  const threads = document.threads as { rootTotalNs: number }[];
  const tracedNs = threads.reduce((sum, thread) => sum + thread.rootTotalNs, 0);
  const error = formatShare(merge.percentiles.relativeError).replace('.0%', '%');
  const table = (headers: readonly string[], rows: readonly (readonly string[])[]) =>
    `<table><thead><tr>${headers.map((h, i) => `<th${i === headers.length - 1 && h === 'function' ? ' class="name"' : ''}>${h}</th>`).join('')}</tr></thead><tbody>${rows
      .map(
        (row) =>
          `<tr>${row.map((cell, i) => `<td${i === row.length - 1 && headers[i] === 'function' ? ' class="name"' : ''}>${cell}</td>`).join('')}</tr>`,
      )
      .join('\n')}</tbody></table>`;
  const functions = (document.functions as FunctionRow[]).slice(0, FUNCTION_ROWS);
  const gc = document.gc as {
    byGeneration: {
      generation: number;
      count: number;
      totalNs: number;
      maxNs: number;
      p50Ns: number;
      p95Ns: number;
      p99Ns: number;
    }[];
    totalPauseNs: number;
    wallShare: number;
  };
  const warnings = document.warnings as { code: string; count: number; unit: string; message: string }[];
  const svg = flameGraphSvg.replace(/^<\?xml[^>]*\?>\n/, '');
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    `<title>pyflame merge: ${merge.runs.length} runs</title><style>${STYLE}</style></head><body>`,
    `<h1>pyflame merge: ${formatCount(merge.runs.length)} runs</h1>`,
    `<p>Traced ${formatDuration(trace.durationNs)} in all, ${formatDuration(tracedNs)} in Python calls on ${formatCount(threads.length)} threads; ${formatCount(trace.events)} events, ${formatCount(trace.droppedEvents)} dropped.</p>`,
    `<p class="note">Counts and times are exact sums over the runs. Percentiles (≈) are approximate: read from merged duration sketches, within ${error} of the exact ones.</p>`,
    '<h2>Flame graph (self time, all runs)</h2>',
    `<div class="flame">${svg}</div>`,
    `<h2>Functions by self time${functions.length < (document.functions as FunctionRow[]).length ? ` (top ${functions.length})` : ''}</h2>`,
    table(
      ['self', '%', 'total', 'calls', 'p50', 'p95', 'p99', 'function'],
      functions.map((f) => [...functionFigures(f, tracedNs), htmlText(functionLabel(f.name, f.file, f.line))]),
    ),
  ];
  if (gc.byGeneration.length > 0)
    parts.push(
      `<h2>GC: ${formatDuration(gc.totalPauseNs)} in pauses (${formatShare(gc.wallShare)} of the traced time)</h2>`,
      table(
        ['generation', 'pauses', 'total', 'p50', 'p95', 'p99', 'max'],
        gc.byGeneration.map((g) => [
          String(g.generation),
          formatCount(g.count),
          formatDuration(g.totalNs),
          approximate(g.p50Ns),
          approximate(g.p95Ns),
          approximate(g.p99Ns),
          formatDuration(g.maxNs),
        ]),
      ),
    );
  parts.push(
    '<h2>Runs</h2>',
    table(
      ['source', 'format', 'duration', 'events', 'threads'],
      merge.runs.map((run) => [
        htmlText(run.source),
        htmlText(run.format),
        formatDuration(run.durationNs),
        formatCount(run.events),
        formatCount(run.threads),
      ]),
    ),
  );
  if (warnings.length > 0)
    parts.push(
      '<h2>Warnings</h2><ul>',
      ...warnings.map(
        (w) =>
          `<li><code>${htmlText(w.code)}</code>: ${formatCount(w.count)} ${htmlText(w.unit)} over the runs: ${htmlText(w.message)}</li>`,
      ),
      '</ul>',
    );
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}
