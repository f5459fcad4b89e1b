import { nondeterministicSentence, runsSentence } from '../run-notes.js';
import pc from 'picocolors';
import { formatCount, formatDuration, formatSignedCount, formatSignedDuration } from '../../text/units.js';
import { functionLabel } from '../../text/function-label.js';
import { heading, note, renderTable, type ReportStyle } from '../../export/terminal/table.js';
import { shortenFile } from '../../text/paths.js';
import { truncateStart } from '../../text/fit.js';
import { formatWarnings } from '../../export/terminal/warnings.js';
import { terminalText } from '../../text/untrusted.js';
import { delta, pathFrames, type RunDiff } from '../compare.js';
import type { Finding, Gate } from '../rules.js';
import {
  findingChange,
  PATH_FRAMES_SHOWN,
  RENAMES_SHOWN,
  rankedFunctions,
  rankedImports,
  rankedPaths,
  signedPercent,
  subjectOf,
  type Subject,
} from './ranking.js';

export interface DiffReportOptions {
  readonly top: number;
  readonly color: boolean;
  readonly width: number;
}

/**
 * The terminal report of a diff: the verdict and what fired first, then the biggest changes.
 * A pure function of its inputs; every name from a trace is made terminal-safe.
 */
export function renderDiffReport(
  diff: RunDiff,
  gate: Gate,
  findings: readonly Finding[],
  options: DiffReportOptions,
): string {
  const style: ReportStyle = { colors: pc.createColors(options.color), width: Math.max(60, options.width) };
  const top = Math.max(1, Math.floor(options.top));
  const sections = [
    header(diff, gate, style),
    verdict(diff, gate, findings, top, style),
    functions(diff, findings, top, style),
    paths(diff, findings, top, style),
    gc(diff, style),
    imports(diff, findings, top, style),
    warnings(diff, style),
  ];
  return `${sections
    .filter((s) => s.length > 0)
    .map((s) => s.join('\n'))
    .join('\n\n')}\n`;
}

function runLine(label: string, run: RunDiff['base'], style: ReportStyle): string {
  return `  ${label}  ${terminalText(run.source)}  ${style.colors.dim(`(${run.format}, ${formatCount(run.events)} events, ${formatDuration(run.durationNs)} long, ${formatDuration(run.tracedNs)} in Python)`)}`;
}

function header(diff: RunDiff, gate: Gate, style: ReportStyle): string[] {
  const lines = [heading('pyflame diff', style), runLine('base', diff.base, style), runLine('head', diff.head, style)];
  const traced = diff.tracedNs;
  lines.push(
    `  in Python  ${formatDuration(traced.base)} → ${formatDuration(traced.head)} (${formatSignedDuration(delta(traced))}, ${signedPercent(traced)})`,
  );
  if (diff.normalized)
    lines.push(
      ...note(
        `--normalize: HEAD's times are multiplied by ${diff.scale.toPrecision(4)} so that its time in Python equals BASE's.`,
        style,
      ),
    );
  lines.push(...renamesNote(diff, style));
  lines.push(...severalRunsNotes(diff, style));
  if (diff.ignored > 0)
    lines.push(...note(`--ignore left out ${formatCount(diff.ignored)} functions and modules.`, style));
  if (diff.paths === undefined)
    lines.push(
      ...note(
        'Call paths are not compared: a side is a --json result written without them (re-run pyflame analyze --json).',
        style,
      ),
    );
  if (gate.rules.length > 0)
    lines.push(
      ...note(
        `Time changes under ${formatDuration(gate.minDeltaNs)} (GC pauses: ${formatDuration(gate.minGcDeltaNs)}) are noise to the rules (--min-delta, --min-gc-delta).`,
        style,
      ),
    );
  return lines;
}

/** Several runs per side: how many, how rules judge them, and the counts that differ between runs. */
function severalRunsNotes(diff: RunDiff, style: ReportStyle): string[] {
  const sentence = runsSentence(diff);
  if (sentence === undefined) return [];
  const lines = note(sentence, style);
  const counts = nondeterministicSentence(diff, terminalText, '--json lists them');
  if (counts === undefined) return [...lines, ...note('Every count is the same in every run of each side.', style)];
  return [...lines, ...note(`Nondeterministic counts (they differ between runs of a side): ${counts.text}`, style)];
}

function renamesNote(diff: RunDiff, style: ReportStyle): string[] {
  const renames = diff.renamedFiles;
  if (renames.length === 0) return [];
  const shown = renames.slice(0, RENAMES_SHOWN).map((r) => `${terminalText(r.base)} → ${terminalText(r.head)}`);
  const more =
    renames.length > RENAMES_SHOWN
      ? ` and ${formatCount(renames.length - RENAMES_SHOWN)} more (--json lists them all)`
      : '';
  const files = renames.length === 1 ? 'A file has' : `${formatCount(renames.length)} files have`;
  return note(
    `${files} another path in HEAD, matched by the functions in it (--no-renames to match by path only): ${shown.join(', ')}${more}.`,
    style,
  );
}

function subjectText(subject: Subject, max: number): string {
  switch (subject.kind) {
    case 'function':
      return functionLabel(subject.name, subject.file, subject.line, max);
    case 'path':
      return pathText(subject.frames, subject.elided, max);
    case 'gc':
      return `GC generation ${subject.generation}`;
    case 'import':
      return `import ${terminalText(subject.module)}`;
    case 'run':
      return 'the whole run';
  }
}

function pathText(frames: readonly { name: string; file: string }[], elided: number, max: number): string {
  const names = frames.map((f) => terminalText(f.name));
  if (elided > 0) names.splice(1, 0, `…${elided}…`);
  // Cut from the left: the end of a path (where the time is) matters most.
  return truncateStart(names.join(' → '), max);
}

function verdict(diff: RunDiff, gate: Gate, findings: readonly Finding[], top: number, style: ReportStyle): string[] {
  const c = style.colors;
  const rules = gate.rules.map((r) => terminalText(r.text)).join(', ');
  if (gate.rules.length === 0)
    return [`${c.bold('No gate')}  ${c.dim('no --fail-on rules: this diff reports, it does not fail (exit 0)')}`];
  if (findings.length === 0) return [`${c.bold(c.green('PASS'))}  no rule fired (${rules})`];
  const firedRules = new Set(findings.map((f) => f.rule)).size;
  const lines = [
    `${c.bold(c.red('FAIL'))}  ${firedRules} of ${gate.rules.length} rule${gate.rules.length === 1 ? '' : 's'} fired, on ${findings.length} item${findings.length === 1 ? '' : 's'} (${rules})`,
  ];
  // Each rule's largest `top` findings; the --json and --markdown documents list them all.
  const shown: Finding[] = [];
  const hidden = new Map<string, number>();
  for (const f of findings) {
    if (shown.filter((s) => s.rule === f.rule).length < top) shown.push(f);
    else hidden.set(f.rule, (hidden.get(f.rule) ?? 0) + 1);
  }
  const rows = shown.map((f) => [terminalText(f.rule), findingChange(f), '']);
  lines.push(
    ...renderTable(
      [
        { header: 'rule', align: 'left' },
        { header: 'change', align: 'left' },
        { header: 'where', align: 'left', fit: (row, max) => subjectText(subjectOf(diff, shown[row]), max) },
      ],
      rows,
      style,
    ),
  );
  for (const [rule, count] of hidden)
    lines.push(
      style.colors.dim(
        `  … and ${formatCount(count)} more for ${terminalText(rule)} (--top, or see --markdown / --json)`,
      ),
    );
  return lines;
}

function functions(diff: RunDiff, findings: readonly Finding[], top: number, style: ReportStyle): string[] {
  const ranked = rankedFunctions(diff, findings);
  if (ranked.length === 0) return [heading('Functions', style), '  no function changed (calls, self or total time)'];
  const shown = ranked.slice(0, top);
  const rows = shown.map((i) => {
    const f = diff.functions[i];
    return [
      formatSignedDuration(delta(f.selfNs)),
      signedPercent(f.selfNs),
      formatDuration(f.selfNs.base),
      formatDuration(f.selfNs.head),
      formatSignedCount(delta(f.calls)),
      formatCount(f.calls.head),
      formatSignedDuration(delta(f.totalNs)),
      '',
    ];
  });
  return [
    heading(`Functions that changed, regressions first (top ${shown.length} of ${formatCount(ranked.length)})`, style),
    ...renderTable(
      [
        { header: 'Δ self', align: 'right' },
        { header: 'Δ%', align: 'right' },
        { header: 'base self', align: 'right' },
        { header: 'head self', align: 'right' },
        { header: 'Δ calls', align: 'right' },
        { header: 'calls', align: 'right' },
        { header: 'Δ total', align: 'right' },
        {
          header: 'function',
          align: 'left',
          fit: (row, max) => {
            const f = diff.functions[shown[row]];
            const mark = f.presence === 'new' ? ' [new]' : f.presence === 'vanished' ? ' [gone]' : '';
            return functionLabel(f.name, f.file, f.line, max - mark.length) + mark;
          },
        },
      ],
      rows,
      style,
    ),
  ];
}

function paths(diff: RunDiff, findings: readonly Finding[], top: number, style: ReportStyle): string[] {
  if (diff.paths === undefined) return [];
  const all = diff.paths;
  const ranked = rankedPaths(diff, findings);
  if (ranked.length === 0) return [];
  const shown = ranked.slice(0, top);
  const rows = shown.map((i) => [
    formatSignedDuration(delta(all[i].selfNs)),
    signedPercent(all[i].selfNs),
    formatSignedCount(delta(all[i].calls)),
    '',
  ]);
  return [
    heading(`Call paths that changed (top ${shown.length} of ${formatCount(ranked.length)})`, style),
    ...renderTable(
      [
        { header: 'Δ self', align: 'right' },
        { header: 'Δ%', align: 'right' },
        { header: 'Δ calls', align: 'right' },
        {
          header: 'path (root → function)',
          align: 'left',
          fit: (row, max) => {
            const { frames, elided } = pathFrames(all, shown[row], PATH_FRAMES_SHOWN);
            return (
              pathText(frames, elided, max) +
              (frames.length > 0 ? `  (${terminalText(shortenFile(frames[frames.length - 1].file))})` : '')
            );
          },
        },
      ],
      rows,
      style,
    ),
  ];
}

function gc(diff: RunDiff, style: ReportStyle): string[] {
  if (diff.gc.length === 0) return [];
  const rows = diff.gc.map((g) => [
    String(g.generation),
    `${formatCount(g.count.base)} → ${formatCount(g.count.head)}`,
    `${formatDuration(g.totalNs.base)} → ${formatDuration(g.totalNs.head)}`,
    signedPercent(g.totalNs),
    `${formatDuration(g.p95Ns.base)} → ${formatDuration(g.p95Ns.head)}`,
    signedPercent(g.p95Ns),
  ]);
  return [
    heading('GC pauses by generation', style),
    ...renderTable(
      [
        { header: 'gen', align: 'right' },
        { header: 'collections', align: 'right' },
        { header: 'total', align: 'right' },
        { header: 'Δ%', align: 'right' },
        { header: 'p95', align: 'right' },
        { header: 'Δ%', align: 'left' },
      ],
      rows,
      style,
    ),
  ];
}

function imports(diff: RunDiff, findings: readonly Finding[], top: number, style: ReportStyle): string[] {
  const ranked = rankedImports(diff, findings);
  if (ranked.length === 0) return [];
  const shown = ranked.slice(0, top);
  const rows = shown.map((i) => {
    const m = diff.imports[i];
    return [
      formatSignedDuration(delta(m.durationNs)),
      signedPercent(m.durationNs),
      formatDuration(m.durationNs.base),
      formatDuration(m.durationNs.head),
      '',
    ];
  });
  return [
    heading(`Imports that changed (cumulative time; top ${shown.length} of ${formatCount(ranked.length)})`, style),
    ...renderTable(
      [
        { header: 'Δ time', align: 'right' },
        { header: 'Δ%', align: 'right' },
        { header: 'base', align: 'right' },
        { header: 'head', align: 'right' },
        {
          header: 'module',
          align: 'left',
          fit: (row) => {
            const m = diff.imports[shown[row]];
            return (
              terminalText(m.module) + (m.presence === 'new' ? ' [new]' : m.presence === 'vanished' ? ' [gone]' : '')
            );
          },
        },
      ],
      rows,
      style,
    ),
  ];
}

function warnings(diff: RunDiff, style: ReportStyle): string[] {
  const lines = [
    ...formatWarnings(
      diff.base.source,
      diff.base.warnings.map((w) => ({ ...w, lines: [...w.lines], occurrences: w.count })),
    ),
    ...formatWarnings(
      diff.head.source,
      diff.head.warnings.map((w) => ({ ...w, lines: [...w.lines], occurrences: w.count })),
    ),
  ];
  if (lines.length === 0) return [];
  const side = (i: number) => (i < diff.base.warnings.length ? 'base: ' : 'head: ');
  return [
    heading('Warnings', style),
    ...lines.map((line, i) => `  ${style.colors.yellow(side(i) + line.replace(/^pyflame: warning: /, ''))}`),
  ];
}
