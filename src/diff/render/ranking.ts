import { formatCount, formatDuration, formatSignedCount, formatSignedDuration } from '../../text/units.js';
import { delta, relative, type Change, type RunDiff } from '../compare.js';
import { pathFrames } from '../compare.js';
import { METRICS, type Finding } from '../rules.js';

/** Shared by every report: which rows to show, regressions first, and how a change reads. */

const changed = (c: Change) => c.base !== c.head;

/**
 * Function rows worth showing, in report order: those a rule fired on, then the rest by how much
 * their self time grew (largest growth first, shrinking last), then by key (deterministic).
 */
export function rankedFunctions(diff: RunDiff, findings: readonly Finding[]): number[] {
  const flagged = new Set(findings.filter((f) => f.scope === 'function').map((f) => f.index));
  return diff.functions
    .map((_, i) => i)
    .filter((i) => {
      const f = diff.functions[i];
      return flagged.has(i) || changed(f.calls) || changed(f.selfNs) || changed(f.totalNs);
    })
    .sort(
      (a, b) =>
        Number(flagged.has(b)) - Number(flagged.has(a)) ||
        delta(diff.functions[b].selfNs) - delta(diff.functions[a].selfNs) ||
        a - b,
    );
}

/** Call paths worth showing, ranked like functions (by self-time growth). */
export function rankedPaths(diff: RunDiff, findings: readonly Finding[]): number[] {
  const paths = diff.paths ?? [];
  const flagged = new Set(findings.filter((f) => f.scope === 'path').map((f) => f.index));
  return paths
    .map((_, i) => i)
    .filter((i) => !paths[i].ignored && (flagged.has(i) || changed(paths[i].calls) || changed(paths[i].selfNs)))
    .sort(
      (a, b) =>
        Number(flagged.has(b)) - Number(flagged.has(a)) || delta(paths[b].selfNs) - delta(paths[a].selfNs) || a - b,
    );
}

/** Modules whose import time changed, by growth. */
export function rankedImports(diff: RunDiff, findings: readonly Finding[]): number[] {
  const flagged = new Set(findings.filter((f) => f.scope === 'import').map((f) => f.index));
  return diff.imports
    .map((_, i) => i)
    .filter((i) => flagged.has(i) || changed(diff.imports[i].durationNs))
    .sort(
      (a, b) =>
        Number(flagged.has(b)) - Number(flagged.has(a)) ||
        delta(diff.imports[b].durationNs) - delta(diff.imports[a].durationNs) ||
        a - b,
    );
}

/** The change in percent: `+148%`, `-12.5%`, `new` (from zero), `gone` (to zero), `0%`. */
export function signedPercent(change: Change): string {
  const r = relative(change);
  if (r === Infinity) return 'new';
  if (change.head === 0 && change.base !== 0) return 'gone';
  if (r === 0) return '0%';
  const text = Math.abs(r) >= 100 ? Math.abs(r).toFixed(0) : Math.abs(r).toPrecision(2);
  return `${r > 0 ? '+' : '-'}${text}%`;
}

/** How a change reads: `827 ms → 2.05 s (+1.22 s, +148%)`. */
export function describeChange(change: Change, kind: 'count' | 'time' | 'gc-time'): string {
  const value = kind === 'count' ? formatCount : formatDuration;
  const d = delta(change);
  return `${value(change.base)} → ${value(change.head)} (${kind === 'count' ? formatSignedCount(d) : formatSignedDuration(d)}, ${signedPercent(change)})`;
}

/** What a finding is about, as plain (unescaped) text pieces for each renderer to make safe. */
export type Subject =
  | { readonly kind: 'function'; readonly name: string; readonly file: string; readonly line: number }
  | { readonly kind: 'path'; readonly frames: readonly { name: string; file: string }[]; readonly elided: number }
  | { readonly kind: 'gc'; readonly generation: number }
  | { readonly kind: 'import'; readonly module: string }
  | { readonly kind: 'run' };

/** Paths in reports show their root and last frames; deeper ones are elided in the middle. */
export const PATH_FRAMES_SHOWN = 6;

/** How many renamed files the terminal and Markdown reports name; the rest are counted. */
export const RENAMES_SHOWN = 5;

export function subjectOf(diff: RunDiff, finding: Finding): Subject {
  switch (finding.scope) {
    case 'function': {
      const f = diff.functions[finding.index];
      return { kind: 'function', name: f.name, file: f.file, line: f.line };
    }
    case 'path':
      return { kind: 'path', ...pathFrames(diff.paths ?? [], finding.index, PATH_FRAMES_SHOWN) };
    case 'gc':
      return { kind: 'gc', generation: diff.gc[finding.index].generation };
    case 'import':
      return { kind: 'import', module: diff.imports[finding.index].module };
    case 'run':
      return { kind: 'run' };
  }
}

/** A finding's change as text (`827 ms → 2.05 s (+1.22 s, +148%)`). */
export function findingChange(finding: Finding): string {
  const kind = METRICS[finding.metric].kind;
  return describeChange(finding.change, kind);
}
