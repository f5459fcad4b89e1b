import type { Analysis } from '../../analyze/analysis.js';
import { flameGraphSvg } from '../svg/render.js';
import { callCountsSection } from './call-counts.js';
import { htmlText } from '../../text/untrusted.js';
import { functionsSection } from './functions.js';
import { gcSection } from './gc.js';
import { importsSection } from './imports.js';
import { browserScript } from '../browser-script.js';
import { PAGE_STYLE } from './style.js';
import { summarySection, warningsSection } from './summary.js';
import { auditSection, threadsSection } from './threads.js';
import { linesSection } from './lines.js';
import { titleFromPath } from '../../text/paths.js';

export interface HtmlReportOptions {
  /** The page's title (default: the trace's file name). */
  readonly title?: string;
  /** The filters in effect, as the terminal report lists them (`focus /main/`, `tid 7`). */
  readonly filters?: readonly string[];
  /** The pyflame version named in the header. */
  readonly version: string;
  /** Flame graph: frames narrower than this percentage are left out (default 0.1). */
  readonly minWidthPercent?: number;
  /** Flame graph: an icicle (root at the top). */
  readonly inverted?: boolean;
}

/**
 * Nothing may be fetched: not even through a hostile name that slips past escaping. Inline
 * <style>/<script> only, images only as data: URLs, no <base>, no forms.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** The interactive flame graph (the --svg document, inlined: its script finds its own <svg>). */
function flameSection(analysis: Analysis, options: HtmlReportOptions, title: string): string {
  if (analysis.functions.length === 0) {
    const why =
      analysis.callCounts !== undefined ? 'a counts-only trace has no call stacks' : 'no function calls in this trace';
    return `<section><h2>Flame graph</h2><p class="none">${why}: nothing to draw</p></section>`;
  }
  const svg = flameGraphSvg(analysis, {
    title,
    minWidthPercent: options.minWidthPercent,
    inverted: options.inverted,
  }).replace(/^<\?xml[^>]*\?>\s*/, '');
  return [
    `<section><h2>Flame graph</h2>`,
    `<p class="dim">Hover a frame for its times, click to zoom, Search (or Ctrl-F with the pointer over the graph) highlights functions matching a regular expression.</p>`,
    `<div id="flame">${svg.trimEnd()}</div>`,
    `</section>`,
  ].join('\n');
}

/** A section that may be empty (a one-thread trace has no threads table): nothing, not a blank line. */
const optional = (section: string): string[] => (section === '' ? [] : [section]);

/**
 * One self-contained HTML page for an analysis: summary, warnings, flame graph, threads, the
 * sortable function table, GC charts and where collections started, the import tree and audit
 * events: what the terminal report shows, and more. No external resource of any kind; every name
 * escaped; same analysis and options, same bytes.
 */
export function htmlReport(analysis: Analysis, options: HtmlReportOptions): string {
  const title = options.title ?? titleFromPath(analysis.source.path);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="pyflame ${htmlText(options.version)}">`,
    `<title>${htmlText(title)} · pyflame</title>`,
    `<style>\n${PAGE_STYLE}\n</style>`,
    '</head>',
    '<body>',
    summarySection(analysis, title, options.filters ?? [], options.version),
    warningsSection(analysis.warnings),
    flameSection(analysis, options, title),
    ...(analysis.callCounts === undefined ? [] : [callCountsSection(analysis)]),
    ...optional(threadsSection(analysis)),
    functionsSection(analysis),
    ...optional(linesSection(analysis)),
    gcSection(analysis),
    importsSection(analysis),
    ...optional(auditSection(analysis)),
    '<div id="tip" role="tooltip" hidden></div>',
    `<script>\n${browserScript('report-page')}\n</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
