import { delta, pathFrames, relative, type Change, type RunDiff } from '../compare.js';
import type { RunProfile } from '../run-profile.js';
import type { Finding, Gate } from '../rules.js';
import { rankedFunctions, rankedImports, rankedPaths, subjectOf } from './ranking.js';

/** The version of the `pyflame diff --json` document (schema/diff-v1.schema.json). */
export const DIFF_SCHEMA_VERSION = 1;

/** Paths listed in the document, largest changes first; each with at most this many frames. */
const MAX_PATHS = 200;
const MAX_PATH_FRAMES = 64;

/** A change with its delta and percent (null when BASE is 0: a new item). */
function change(c: Change): Record<string, number | null> {
  const r = relative(c);
  return { base: c.base, head: c.head, delta: delta(c), percent: Number.isFinite(r) ? round(r) : null };
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
  return {
    schemaVersion: DIFF_SCHEMA_VERSION,
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
      change: change(f.change),
    })),
    tracedNs: change(diff.tracedNs),
    durationNs: change(diff.durationNs),
    ignored: diff.ignored,
    renamedFiles: diff.renamedFiles.map((r) => ({ base: r.base, head: r.head, similarity: r.similarity })),
    functions: changedFunctions.map((i) => {
      const f = diff.functions[i];
      return {
        name: f.name,
        file: f.file,
        line: f.line,
        presence: f.presence,
        calls: change(f.calls),
        selfNs: change(f.selfNs),
        totalNs: change(f.totalNs),
        p95Ns: change(f.p95Ns),
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
              calls: change(p.calls),
              selfNs: change(p.selfNs),
              totalNs: change(p.totalNs),
            };
          }),
    changedPaths: paths === undefined ? null : rankedPathList.length,
    gc: diff.gc.map((g) => ({
      generation: g.generation,
      count: change(g.count),
      totalNs: change(g.totalNs),
      p95Ns: change(g.p95Ns),
    })),
    imports: rankedImports(diff, findings).map((i) => {
      const m = diff.imports[i];
      return { module: m.module, presence: m.presence, durationNs: change(m.durationNs), selfNs: change(m.selfNs) };
    }),
  };
}

/** The `--json` document as text (two-space indentation, trailing newline). */
export function diffJsonText(diff: RunDiff, gate: Gate, findings: readonly Finding[]): string {
  return `${JSON.stringify(diffToJson(diff, gate, findings), null, 2)}\n`;
}
