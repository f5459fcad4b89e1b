import { formatCount, formatDuration, shortenFile } from '../../cli/report/format.js';
import { terminalSafe } from '../../cli/terminal.js';
import { delta, pathFrames, type RunDiff } from '../compare.js';
import type { Finding, Gate } from '../rules.js';
import { findingChange, PATH_FRAMES_SHOWN, rankedFunctions, rankedImports, rankedPaths, RENAMES_SHOWN, signedCount, signedDuration, signedPercent, subjectOf, type Subject } from './ranking.js';

export interface DiffMarkdownOptions {
  /** Rows in the summary tables (the collapsible details list more). */
  readonly top: number;
}

/** Rows in a collapsible details table: enough to scroll, bounded so a comment stays postable. */
const DETAIL_ROWS = 200;

/**
 * Text from a trace made inert in GitHub Markdown: control characters shown as escapes, HTML
 * special characters as entities, Markdown punctuation (including the table's `|`, and `@` so a
 * name cannot mention anyone in a pull-request comment) backslashed.
 */
export function markdownText(text: string): string {
  return terminalSafe(text)
    .replace(/[\\`*_{}[\]()#+\-.!|~:@]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
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

function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

function details(summary: string, body: readonly string[]): string[] {
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>'];
}

/**
 * The diff as GitHub-flavoured Markdown for a job summary or a pull-request comment: the verdict
 * first, then what fired, the biggest changes, and collapsible details.
 */
export function renderDiffMarkdown(diff: RunDiff, gate: Gate, findings: readonly Finding[], options: DiffMarkdownOptions): string {
  const top = Math.max(1, Math.floor(options.top));
  const out: string[] = [];
  const rules = gate.rules.map((r) => `\`${r.text.replace(/`/g, "'")}\``).join(', ');
  if (gate.rules.length === 0) out.push('## pyflame diff: report only (no `--fail-on` rules)');
  else if (findings.length === 0) out.push(`## ✅ pyflame diff: no regression`);
  else out.push(`## ❌ pyflame diff: ${new Set(findings.map((f) => f.rule)).size} of ${gate.rules.length} rules fired, on ${findings.length} item${findings.length === 1 ? '' : 's'}`);
  out.push('');
  const traced = diff.tracedNs;
  out.push(`**base** ${markdownText(diff.base.source)} · **head** ${markdownText(diff.head.source)} · time in Python ${formatDuration(traced.base)} → ${formatDuration(traced.head)} (${signedDuration(delta(traced))}, ${signedPercent(traced)})`);
  if (diff.normalized) out.push('', `HEAD's times are scaled by ${diff.scale.toPrecision(4)} (\`--normalize\`).`);
  if (diff.renamedFiles.length > 0) {
    const shown = diff.renamedFiles.slice(0, RENAMES_SHOWN).map((r) => `${markdownText(r.base)} → ${markdownText(r.head)}`);
    const more = diff.renamedFiles.length > RENAMES_SHOWN ? ` and ${formatCount(diff.renamedFiles.length - RENAMES_SHOWN)} more (the JSON lists them all)` : '';
    out.push('', `Matched by the functions in them (renamed or moved files; \`--no-renames\` to match by path only): ${shown.join(', ')}${more}.`);
  }
  if (gate.rules.length > 0) out.push('', `Rules: ${rules}; time changes under ${formatDuration(gate.minDeltaNs)} (GC pauses: ${formatDuration(gate.minGcDeltaNs)}) are treated as noise.`);

  if (findings.length > 0) {
    out.push('', '### Regressions', '');
    // Not spread into push(): a rule can fire hundreds of thousands of times (the stack would overflow).
    for (const line of table(['rule', 'where', 'change'], findings.map((f) => [`\`${f.rule.replace(/`/g, "'")}\``, subjectCell(subjectOf(diff, f)), findingChange(f)]), ['l', 'l', 'l'])) out.push(line);
  }

  const functions = rankedFunctions(diff, findings);
  const functionRows = (indices: readonly number[]) =>
    indices.map((i) => {
      const f = diff.functions[i];
      const mark = f.presence === 'new' ? ' **new**' : f.presence === 'vanished' ? ' **gone**' : '';
      return [signedDuration(delta(f.selfNs)), signedPercent(f.selfNs), `${formatDuration(f.selfNs.base)} → ${formatDuration(f.selfNs.head)}`, `${formatCount(f.calls.base)} → ${formatCount(f.calls.head)}`, signedDuration(delta(f.totalNs)), functionCell(f.name, f.file, f.line) + mark];
    });
  const functionHeader = ['Δ self', 'Δ%', 'self', 'calls', 'Δ total', 'function'];
  const functionAlign: ('l' | 'r')[] = ['r', 'r', 'r', 'r', 'r', 'l'];
  out.push('', '### Biggest changes', '');
  if (functions.length === 0) out.push('No function changed (calls, self or total time).');
  else for (const line of table(functionHeader, functionRows(functions.slice(0, top)), functionAlign)) out.push(line);
  if (functions.length > top) {
    const shown = functions.slice(0, DETAIL_ROWS);
    out.push('', ...details(`All changed functions (${formatCount(functions.length)}${functions.length > shown.length ? `, first ${shown.length} shown` : ''})`, table(functionHeader, functionRows(shown), functionAlign)));
  }

  if (diff.paths !== undefined) {
    const all = diff.paths;
    const paths = rankedPaths(diff, findings);
    if (paths.length > 0) {
      const shown = paths.slice(0, DETAIL_ROWS);
      const rows = shown.map((i) => {
        const { frames, elided } = pathFrames(all, i, PATH_FRAMES_SHOWN);
        return [signedDuration(delta(all[i].selfNs)), signedPercent(all[i].selfNs), signedCount(delta(all[i].calls)), pathCell(frames, elided)];
      });
      out.push('', ...details(`Call paths that changed (${formatCount(paths.length)}${paths.length > shown.length ? `, first ${shown.length} shown` : ''})`, table(['Δ self', 'Δ%', 'Δ calls', 'path (root → function)'], rows, ['r', 'r', 'r', 'l'])));
    }
  }

  if (diff.gc.length > 0) {
    const rows = diff.gc.map((g) => [
      String(g.generation),
      `${formatCount(g.count.base)} → ${formatCount(g.count.head)}`,
      `${formatDuration(g.totalNs.base)} → ${formatDuration(g.totalNs.head)} (${signedPercent(g.totalNs)})`,
      `${formatDuration(g.p95Ns.base)} → ${formatDuration(g.p95Ns.head)} (${signedPercent(g.p95Ns)})`,
    ]);
    out.push('', ...details('GC pauses by generation', table(['generation', 'collections', 'total pause', 'p95 pause'], rows, ['r', 'r', 'r', 'r'])));
  }

  const imports = rankedImports(diff, findings);
  if (imports.length > 0) {
    const shown = imports.slice(0, DETAIL_ROWS);
    const rows = shown.map((i) => {
      const m = diff.imports[i];
      const mark = m.presence === 'new' ? ' **new**' : m.presence === 'vanished' ? ' **gone**' : '';
      return [signedDuration(delta(m.durationNs)), signedPercent(m.durationNs), `${formatDuration(m.durationNs.base)} → ${formatDuration(m.durationNs.head)}`, markdownText(m.module) + mark];
    });
    out.push('', ...details(`Imports that changed (${formatCount(imports.length)}, cumulative time)`, table(['Δ time', 'Δ%', 'time', 'module'], rows, ['r', 'r', 'r', 'l'])));
  }

  const warnings = [...diff.base.warnings.map((w) => ({ side: 'base', ...w })), ...diff.head.warnings.map((w) => ({ side: 'head', ...w }))];
  if (warnings.length > 0) {
    out.push('', ...details(`Warnings (${warnings.length})`, warnings.map((w) => `- ${w.side}: ${markdownText(w.code)}, ${formatCount(w.count)} ${markdownText(w.unit)}: ${markdownText(w.message)}`)));
  }
  return `${out.join('\n')}\n`;
}
