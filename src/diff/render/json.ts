import { delta, pathFrames, relative, type Change, type RunDiff } from '../compare.js';
import type { RunProfile } from '../run-profile.js';
import type { Finding, Gate } from '../rules.js';
import type { Spread } from '../compare-sets.js';
import { range } from '../noise-test.js';
import { countSubject, nondeterministicCounts } from '../run-notes.js';
import { rankedFunctions, rankedImports, rankedPaths, subjectOf } from './ranking.js';

/**
 * The version of the `pyflame diff --json` document: 1 for one run per side (schema/diff-v1.schema.json,
 * unchanged, byte for byte), 2 for several runs on a side (schema/diff-v2.schema.json: v1 plus the
 * runs per side, each item's per-run values and spread, and the nondeterministic counts).
 */
export const DIFF_SCHEMA_VERSION = 1;
export const DIFF_SCHEMA_VERSION_RUNS = 2;

/** Nondeterministic counts listed in the document (all are counted). */
const MAX_NONDETERMINISTIC = 200;

/** Paths listed in the document, largest changes first; each with at most this many frames. */
const MAX_PATHS = 200;
const MAX_PATH_FRAMES = 64;

/** A change with its delta and percent (null when BASE is 0: a new item). */
function change(c: Change, spread?: Spread): Record<string, unknown> {
  const r = relative(c);
  const plain = { base: c.base, head: c.head, delta: delta(c), percent: Number.isFinite(r) ? round(r) : null };
  return spread === undefined ? plain : { ...plain, runs: runsOf(spread) };
}

/** Several runs: every run's value on each side (in the order given) and each side's spread (max - min). */
function runsOf(spread: Spread): Record<string, unknown> {
  const side = (values: readonly number[]) => {
    const [min, max] = range(values);
    return { values: [...values], min, max, spread: max - min };
  };
  return { base: side(spread.base), head: side(spread.head) };
}

/** The per-run values behind a finding (undefined for one run per side). */
function findingSpread(diff: RunDiff, f: Finding): Spread | undefined {
  const s = diff.samples;
  if (s === undefined) return undefined;
  const field = f.metric.replace(/^(path|gc|import)\./, '');
  switch (f.scope) {
    case 'function':
      return s.functions[f.index][
        field === 'calls' ? 'calls' : field === 'self' ? 'selfNs' : field === 'total' ? 'totalNs' : 'p95Ns'
      ];
    case 'path':
      return s.paths?.[f.index][field === 'calls' ? 'calls' : field === 'self' ? 'selfNs' : 'totalNs'];
    case 'gc':
      return s.gc[f.index][field === 'count' ? 'count' : field === 'total' ? 'totalNs' : 'p95Ns'];
    case 'import':
      return s.imports[f.index][f.metric === 'import' ? 'durationNs' : 'selfNs'];
    case 'run':
      return f.metric === 'traced' ? s.tracedNs : s.durationNs;
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

function run(profile: RunProfile): Record<string, unknown> {
  return {
    source: profile.source,
    format: profile.format,
    durationNs: profile.durationNs,
    events: profile.events,
    droppedEvents: profile.droppedEvents,
    tracedNs: profile.tracedNs,
    warnings: profile.warnings.map((w) => ({ code: w.code, message: w.message, count: w.count, unit: w.unit })),
  };
}

/** The diff as plain data: verdict and findings first, then what changed, biggest regressions first. */
export function diffToJson(diff: RunDiff, gate: Gate, findings: readonly Finding[]): Record<string, unknown> {
  const paths = diff.paths;
  const rankedPathList = rankedPaths(diff, findings);
  const changedFunctions = rankedFunctions(diff, findings);
  const samples = diff.samples;
  const nondeterministic = nondeterministicCounts(diff);
  const several =
    samples === undefined
      ? {}
      : {
          runs: {
            base: samples.runs.base,
            head: samples.runs.head,
            baseSources: [...samples.sources.base],
            headSources: [...samples.sources.head],
            statistic: 'median',
            timeTest: 'ranges-apart-medians-beyond-spread',
            countTest: 'ranges-apart',
          },
          nondeterministicCounts: nondeterministic.length,
          nondeterministic: nondeterministic.slice(0, MAX_NONDETERMINISTIC).map((c) => ({
            metric: c.metric,
            scope: c.scope,
            subject: countSubject(diff, c),
            base: [...c.spread.base],
            head: [...c.spread.head],
          })),
        };
  const nondeterministicKeys = new Set(nondeterministic.map((c) => `${c.scope}:${c.index}`));
  const flag = (scope: string, index: number) =>
    samples === undefined ? {} : { nondeterministic: nondeterministicKeys.has(`${scope}:${index}`) };
  return {
    schemaVersion: samples === undefined ? DIFF_SCHEMA_VERSION : DIFF_SCHEMA_VERSION_RUNS,
    ...(samples === undefined ? {} : { runs: several.runs }),
    verdict: gate.rules.length === 0 ? 'no-gate' : findings.length > 0 ? 'fail' : 'pass',
    base: run(diff.base),
    head: run(diff.head),
    normalized: diff.normalized,
    scale: diff.scale,
    gate: {
      rules: gate.rules.map((r) => ({
        text: r.text,
        metric: r.metric,
        op: r.op,
        threshold: r.threshold,
        percent: r.percent,
      })),
      minDeltaNs: gate.minDeltaNs,
      minGcDeltaNs: gate.minGcDeltaNs,
    },
    findings: findings.map((f) => ({
      rule: f.rule,
      metric: f.metric,
      subject: subjectOf(diff, f),
      change: change(f.change, findingSpread(diff, f)),
    })),
    ...(samples === undefined
      ? {}
      : { nondeterministicCounts: several.nondeterministicCounts, nondeterministic: several.nondeterministic }),
    tracedNs: change(diff.tracedNs, samples?.tracedNs),
    durationNs: change(diff.durationNs, samples?.durationNs),
    ignored: diff.ignored,
    renamedFiles: diff.renamedFiles.map((r) => ({ base: r.base, head: r.head, similarity: r.similarity })),
    functions: changedFunctions.map((i) => {
      const f = diff.functions[i];
      return {
        name: f.name,
        file: f.file,
        line: f.line,
        presence: f.presence,
        ...flag('function', i),
        calls: change(f.calls, samples?.functions[i].calls),
        selfNs: change(f.selfNs, samples?.functions[i].selfNs),
        totalNs: change(f.totalNs, samples?.functions[i].totalNs),
        p95Ns: change(f.p95Ns, samples?.functions[i].p95Ns),
      };
    }),
    unchangedFunctions: diff.functions.length - changedFunctions.length,
    paths:
      paths === undefined
        ? null
        : rankedPathList.slice(0, MAX_PATHS).map((i) => {
            const p = paths[i];
            const { frames, elided } = pathFrames(paths, i, MAX_PATH_FRAMES);
            return {
              frames,
              elidedFrames: elided,
              presence: p.presence,
              ...flag('path', i),
              calls: change(p.calls, samples?.paths?.[i].calls),
              selfNs: change(p.selfNs, samples?.paths?.[i].selfNs),
              totalNs: change(p.totalNs, samples?.paths?.[i].totalNs),
            };
          }),
    changedPaths: paths === undefined ? null : rankedPathList.length,
    gc: diff.gc.map((g, i) => ({
      generation: g.generation,
      ...flag('gc', i),
      count: change(g.count, samples?.gc[i].count),
      totalNs: change(g.totalNs, samples?.gc[i].totalNs),
      p95Ns: change(g.p95Ns, samples?.gc[i].p95Ns),
    })),
    imports: rankedImports(diff, findings).map((i) => {
      const m = diff.imports[i];
      return {
        module: m.module,
        presence: m.presence,
        durationNs: change(m.durationNs, samples?.imports[i].durationNs),
        selfNs: change(m.selfNs, samples?.imports[i].selfNs),
      };
    }),
  };
}

/** The `--json` document as text (two-space indentation, trailing newline). */
export function diffJsonText(diff: RunDiff, gate: Gate, findings: readonly Finding[]): string {
  return `${JSON.stringify(diffToJson(diff, gate, findings), null, 2)}\n`;
}
