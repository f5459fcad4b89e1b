import { nondeterministicSentence, runsSentence } from '../run-notes.js';
import { formatCount, formatDuration, formatSignedCount, formatSignedDuration } from '../../text/units.js';
import { shortenFile } from '../../text/paths.js';
import { markdownText } from '../../text/untrusted.js';
import { delta, pathFrames, type RunDiff } from '../compare.js';
import type { Finding, Gate } from '../rules.js';
import {
  findingChange,
  PATH_FRAMES_SHOWN,
  rankedFunctions,
  rankedImports,
  rankedPaths,
  RENAMES_SHOWN,
  signedPercent,
  subjectOf,
  type Subject,
} from './ranking.js';

export interface DiffMarkdownOptions {
  /** Rows in the summary tables; the collapsible details list up to DETAIL_ROWS_PER_TOP times more. */
  readonly top: number;
  /** The most characters the document may have (default {@link MARKDOWN_LIMIT}). */
  readonly limit?: number;
}

/**
 * GitHub refuses a pull-request comment over 65,536 characters (a job summary over 1 MiB): the
 * document is cut to fit this, with room left for a comment's own header.
 */
export const MARKDOWN_LIMIT = 60_000;

/** Rows in a collapsible details table per --top row: enough to scroll. */
const DETAIL_ROWS_PER_TOP = 10;

/** How many rows each kind of table may have in one rendering. */
interface RowLimits {
  readonly findings: number;
  readonly summary: number;
  readonly details: number;
}

function functionCell(name: string, file: string, line: number): string {
  return `${markdownText(name)} <sub>${markdownText(`${shortenFile(file)}:${line}`)}</sub>`;
}

function pathCell(frames: readonly { name: string; file: string }[], elided: number): string {
  const names = frames.map((f) => markdownText(f.name));
  if (elided > 0) names.splice(1, 0, `…${elided} more…`);
  return names.join(' → ');
}

function subjectCell(subject: Subject): string {
  switch (subject.kind) {
    case 'function':
      return functionCell(subject.name, subject.file, subject.line);
    case 'path':
      return pathCell(subject.frames, subject.elided);
    case 'gc':
      return `GC generation ${subject.generation}`;
    case 'import':
      return `import ${markdownText(subject.module)}`;
    case 'run':
      return 'the whole run';
  }
}

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ('l' | 'r')[],
): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

function details(summary: string, body: readonly string[]): string[] {
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>'];
}

/** `… and 12 more (…)`: what a table left out, in words. */
function moreRows(count: number, what: string): string[] {
  return count > 0 ? ['', `… and ${formatCount(count)} more ${what} (the \`--json\` document lists them all).`] : [];
}

/**
 * The diff as GitHub-flavoured Markdown for a job summary or a pull-request comment: the verdict
 * first, then what fired, the biggest changes, and collapsible details. It fits
 * `options.limit` characters by construction: the details tables lose rows first, then the
 * biggest-changes table, then the regressions table, each saying how many rows it left out.
 */
export function renderDiffMarkdown(
  diff: RunDiff,
  gate: Gate,
  findings: readonly Finding[],
  options: DiffMarkdownOptions,
): string {
  const top = Math.max(1, Math.floor(options.top));
  const limit = options.limit ?? MARKDOWN_LIMIT;
  const render = (limits: RowLimits) => renderWithLimits(diff, gate, findings, limits);
  // A table row takes 20 characters at the least: more rows than that could never fit.
  const full: RowLimits = {
    findings: Math.min(findings.length, Math.ceil(limit / 20)),
    summary: top,
    details: top * DETAIL_ROWS_PER_TOP,
  };
  let text = render(full);
  if (text.length <= limit) return text;
  // The largest row count (found by halving) that fits, for each table kind in turn.
  const fit = (make: (rows: number) => RowLimits, most: number): RowLimits | undefined => {
    let low = 0;
    let high = most;
    if (render(make(0)).length > limit) return undefined;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (render(make(middle)).length <= limit) low = middle;
      else high = middle - 1;
    }
    return make(low);
  };
  const limits = fit((rows) => ({ ...full, details: rows }), full.details) ??
    fit((rows) => ({ ...full, details: 0, summary: rows }), full.summary) ??
    fit((rows) => ({ findings: rows, summary: 0, details: 0 }), full.findings) ?? {
      findings: 0,
      summary: 0,
      details: 0,
    };
  text = render(limits);
  return text.length <= limit
    ? text
    : `${text.slice(0, Math.max(0, limit - 80)).replace(/\n[^\n]*$/, '')}\n\n… (cut at ${formatCount(limit)} characters)\n`;
}

/** Several runs per side: how many, how rules judge them, and the counts that differ between runs. */
function severalRunsNotes(diff: RunDiff): string[] {
  const sentence = runsSentence(diff);
  if (sentence === undefined) return [];
  const counts = nondeterministicSentence(diff, markdownText, 'the JSON lists them');
  if (counts === undefined) return ['', sentence, '', 'Every count is the same in every run of each side.'];
  return ['', sentence, '', `**Nondeterministic counts** (they differ between runs of a side): ${counts.text}`];
}

function renderWithLimits(diff: RunDiff, gate: Gate, findings: readonly Finding[], limits: RowLimits): string {
  const top = limits.summary;
  const out: string[] = [];
  const rules = gate.rules.map((r) => `\`${r.text.replace(/`/g, "'")}\``).join(', ');
  if (gate.rules.length === 0) out.push('## pyflame diff: report only (no `--fail-on` rules)');
  else if (findings.length === 0) out.push(`## ✅ pyflame diff: no regression`);
  else
    out.push(
      `## ❌ pyflame diff: ${new Set(findings.map((f) => f.rule)).size} of ${gate.rules.length} rules fired, on ${findings.length} item${findings.length === 1 ? '' : 's'}`,
    );
  out.push('');
  const traced = diff.tracedNs;
  out.push(
    `**base** ${markdownText(diff.base.source)} · **head** ${markdownText(diff.head.source)} · time in Python ${formatDuration(traced.base)} → ${formatDuration(traced.head)} (${formatSignedDuration(delta(traced))}, ${signedPercent(traced)})`,
  );
  if (diff.normalized) out.push('', `HEAD's times are scaled by ${diff.scale.toPrecision(4)} (\`--normalize\`).`);
  out.push(...severalRunsNotes(diff));
  if (diff.renamedFiles.length > 0) {
    const shown = diff.renamedFiles
      .slice(0, RENAMES_SHOWN)
      .map((r) => `${markdownText(r.base)} → ${markdownText(r.head)}`);
    const more =
      diff.renamedFiles.length > RENAMES_SHOWN
        ? ` and ${formatCount(diff.renamedFiles.length - RENAMES_SHOWN)} more (the JSON lists them all)`
        : '';
    out.push(
      '',
      `Matched by the functions in them (renamed or moved files; \`--no-renames\` to match by path only): ${shown.join(', ')}${more}.`,
    );
  }
  if (gate.rules.length > 0)
    out.push(
      '',
      `Rules: ${rules}; time changes under ${formatDuration(gate.minDeltaNs)} (GC pauses: ${formatDuration(gate.minGcDeltaNs)}) are treated as noise.`,
    );

  if (findings.length > 0) {
    out.push('', '### Regressions', '');
    const shown = findings.slice(0, limits.findings);
    // Appended line by line, not spread into push(): a rule can fire hundreds of thousands of times.
    if (shown.length > 0)
      for (const line of table(
        ['rule', 'where', 'change'],
        shown.map((f) => [`\`${f.rule.replace(/`/g, "'")}\``, subjectCell(subjectOf(diff, f)), findingChange(f)]),
        ['l', 'l', 'l'],
      ))
        out.push(line);
    out.push(...moreRows(findings.length - shown.length, 'findings'));
  }

  const functions = rankedFunctions(diff, findings);
  const functionRows = (indices: readonly number[]) =>
    indices.map((i) => {
      const f = diff.functions[i];
      const mark = f.presence === 'new' ? ' **new**' : f.presence === 'vanished' ? ' **gone**' : '';
      return [
        formatSignedDuration(delta(f.selfNs)),
        signedPercent(f.selfNs),
        `${formatDuration(f.selfNs.base)} → ${formatDuration(f.selfNs.head)}`,
        `${formatCount(f.calls.base)} → ${formatCount(f.calls.head)}`,
        formatSignedDuration(delta(f.totalNs)),
        functionCell(f.name, f.file, f.line) + mark,
      ];
    });
  const functionHeader = ['Δ self', 'Δ%', 'self', 'calls', 'Δ total', 'function'];
  const functionAlign: ('l' | 'r')[] = ['r', 'r', 'r', 'r', 'r', 'l'];
  if (top > 0 || functions.length === 0) out.push('', '### Biggest changes', '');
  if (functions.length === 0) out.push('No function changed (calls, self or total time).');
  else if (top > 0)
    for (const line of table(functionHeader, functionRows(functions.slice(0, top)), functionAlign)) out.push(line);
  if (functions.length > top && limits.details === 0)
    out.push(...moreRows(functions.length - top, 'changed functions'));
  if (functions.length > top && limits.details > 0) {
    const shown = functions.slice(0, limits.details);
    out.push(
      '',
      ...details(
        `All changed functions (${formatCount(functions.length)}${functions.length > shown.length ? `, first ${shown.length} shown` : ''})`,
        table(functionHeader, functionRows(shown), functionAlign),
      ),
    );
  }

  if (diff.paths !== undefined) {
    const all = diff.paths;
    const paths = rankedPaths(diff, findings);
    if (paths.length > 0 && limits.details > 0) {
      const shown = paths.slice(0, limits.details);
      const rows = shown.map((i) => {
        const { frames, elided } = pathFrames(all, i, PATH_FRAMES_SHOWN);
        return [
          formatSignedDuration(delta(all[i].selfNs)),
          signedPercent(all[i].selfNs),
          formatSignedCount(delta(all[i].calls)),
          pathCell(frames, elided),
        ];
      });
      out.push(
        '',
        ...details(
          `Call paths that changed (${formatCount(paths.length)}${paths.length > shown.length ? `, first ${shown.length} shown` : ''})`,
          table(['Δ self', 'Δ%', 'Δ calls', 'path (root → function)'], rows, ['r', 'r', 'r', 'l']),
        ),
      );
    }
  }

  if (diff.gc.length > 0) {
    const rows = diff.gc.map((g) => [
      String(g.generation),
      `${formatCount(g.count.base)} → ${formatCount(g.count.head)}`,
      `${formatDuration(g.totalNs.base)} → ${formatDuration(g.totalNs.head)} (${signedPercent(g.totalNs)})`,
      `${formatDuration(g.p95Ns.base)} → ${formatDuration(g.p95Ns.head)} (${signedPercent(g.p95Ns)})`,
    ]);
    out.push(
      '',
      ...details(
        'GC pauses by generation',
        table(['generation', 'collections', 'total pause', 'p95 pause'], rows, ['r', 'r', 'r', 'r']),
      ),
    );
  }

  const imports = rankedImports(diff, findings);
  if (imports.length > 0 && limits.details > 0) {
    const shown = imports.slice(0, limits.details);
    const rows = shown.map((i) => {
      const m = diff.imports[i];
      const mark = m.presence === 'new' ? ' **new**' : m.presence === 'vanished' ? ' **gone**' : '';
      return [
        formatSignedDuration(delta(m.durationNs)),
        signedPercent(m.durationNs),
        `${formatDuration(m.durationNs.base)} → ${formatDuration(m.durationNs.head)}`,
        markdownText(m.module) + mark,
      ];
    });
    out.push(
      '',
      ...details(
        `Imports that changed (${formatCount(imports.length)}, cumulative time)`,
        table(['Δ time', 'Δ%', 'time', 'module'], rows, ['r', 'r', 'r', 'l']),
      ),
    );
  }

  const warnings = [
    ...diff.base.warnings.map((w) => ({ side: 'base', ...w })),
    ...diff.head.warnings.map((w) => ({ side: 'head', ...w })),
  ];
  if (warnings.length > 0) {
    out.push(
      '',
      ...details(
        `Warnings (${warnings.length})`,
        warnings.map(
          (w) =>
            `- ${w.side}: ${markdownText(w.code)}, ${formatCount(w.count)} ${markdownText(w.unit)}: ${markdownText(w.message)}`,
        ),
      ),
    );
  }
  const changedPaths = diff.paths === undefined ? 0 : rankedPaths(diff, findings).length;
  if (limits.details === 0 && changedPaths + imports.length > 0)
    out.push(
      '',
      '_Call paths and imports are left out to fit a GitHub comment: the `--json` document and the terminal report have them._',
    );
  return `${out.join('\n')}\n`;
}
