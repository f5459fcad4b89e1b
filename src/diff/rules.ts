import { delta, relative, type Change, type RunDiff } from './compare.js';
import type { RunProfile } from './run-profile.js';
import type { Spread } from './compare-sets.js';
import { beyondNoise, countsSeparated, varies, type NoiseTest } from './noise-test.js';

/** What a rule measures, and over which items of a diff. */
export const METRICS = {
  calls: { scope: 'function', kind: 'count', describe: "a function's calls" },
  self: { scope: 'function', kind: 'time', describe: "a function's self time" },
  total: { scope: 'function', kind: 'time', describe: "a function's total (inclusive) time" },
  p95: { scope: 'function', kind: 'time', describe: "a function's 95th-percentile call duration" },
  'path.calls': { scope: 'path', kind: 'count', describe: "a call path's calls" },
  'path.self': { scope: 'path', kind: 'time', describe: "a call path's self time" },
  'path.total': { scope: 'path', kind: 'time', describe: "a call path's total time" },
  'gc.count': { scope: 'gc', kind: 'count', describe: 'collections of a GC generation' },
  'gc.total': { scope: 'gc', kind: 'gc-time', describe: 'total pause time of a GC generation' },
  'gc.p95': { scope: 'gc', kind: 'gc-time', describe: '95th-percentile pause of a GC generation' },
  import: { scope: 'import', kind: 'time', describe: "a module's import time (with what it imports)" },
  'import.self': { scope: 'import', kind: 'time', describe: "a module's own import time" },
  traced: { scope: 'run', kind: 'time', describe: 'time in Python calls, summed over threads' },
  duration: { scope: 'run', kind: 'time', describe: "the trace's wall duration" },
} as const;

export type Metric = keyof typeof METRICS;
export type Comparison = '>' | '>=' | '<' | '<=';

/** `--fail-on METRIC OP VALUE`: fires on an item whose change (HEAD - BASE) passes the threshold. */
export interface Rule {
  readonly text: string;
  readonly metric: Metric;
  readonly op: Comparison;
  /** In ns for times, a count for counts, percent of BASE when `percent`. */
  readonly threshold: number;
  readonly percent: boolean;
}

/** A rule mistake, said so the user can fix it: exit 2. */
export class RuleError extends Error {
  override name = 'RuleError';
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9 };
const SHAPE = /^\s*([a-z][a-z0-9.]*)\s*(>=|<=|>|<)\s*([+-]?)\s*(\d+(?:\.\d+)?|\.\d+)\s*(%|ns|us|µs|μs|ms|s)?\s*$/i;
const EXAMPLE = 'e.g. calls>0, self>10%, total>+5ms, gc.p95>20%, import>+20ms';

/** Parses one --fail-on rule, or throws a RuleError saying what is wrong with it. */
export function parseRule(text: string): Rule {
  const match = SHAPE.exec(text);
  if (match === null) {
    const metricOnly = /^\s*([a-z][a-z0-9.]*)\s*[<>]/i.exec(text)?.[1];
    if (metricOnly !== undefined && !(metricOnly.toLowerCase() in METRICS))
      throw new RuleError(unknownMetric(text, metricOnly));
    const badOp = /^\s*[a-z][a-z0-9.]*\s*([<>=!]{2,})/i.exec(text)?.[1];
    if (badOp !== undefined && !['>=', '<='].includes(badOp))
      throw new RuleError(`rule "${text}": "${badOp}" is not a comparison; use >, >=, < or <=`);
    const badUnit =
      /^\s*[a-z][a-z0-9.]*\s*(?:>=|<=|>|<)\s*[+-]?\s*(?:\d+(?:\.\d+)?|\.\d+)\s*([^\d\s%][^\s]*)\s*$/i.exec(text)?.[1];
    if (badUnit !== undefined)
      throw new RuleError(
        `rule "${text}": unknown unit "${badUnit}"; times take ns, us, ms or s, any value can be a % of BASE`,
      );
    if (!/(>=|<=|>|<)/.test(text))
      throw new RuleError(
        `rule "${text}": no comparison; write METRIC>VALUE, METRIC>=VALUE, METRIC<VALUE or METRIC<=VALUE (${EXAMPLE})`,
      );
    throw new RuleError(
      `rule "${text}": expected METRIC OP VALUE, where VALUE is a number with a unit (ns, us, ms, s) or % (${EXAMPLE})`,
    );
  }
  const [, rawMetric, op, sign, number, rawUnit] = match;
  const metric = rawMetric.toLowerCase();
  if (!(metric in METRICS)) throw new RuleError(unknownMetric(text, rawMetric));
  const { kind } = METRICS[metric as Metric];
  const unit = rawUnit?.toLowerCase();
  const magnitude = Number(number) * (sign === '-' ? -1 : 1);
  if (unit === '%')
    return { text, metric: metric as Metric, op: op as Comparison, threshold: magnitude, percent: true };
  if (kind === 'count') {
    if (unit !== undefined)
      throw new RuleError(
        `rule "${text}": ${metric} counts, so its value is a number or a percentage (e.g. ${metric}>0 or ${metric}>10%), not a time`,
      );
    return { text, metric: metric as Metric, op: op as Comparison, threshold: magnitude, percent: false };
  }
  if (unit === undefined && magnitude !== 0)
    throw new RuleError(
      `rule "${text}": ${metric} is a time; give its value a unit (ns, us, ms, s) or make it a percentage, e.g. ${metric}>+5ms or ${metric}>10%`,
    );
  return {
    text,
    metric: metric as Metric,
    op: op as Comparison,
    threshold: magnitude * UNIT_NS[unit ?? 'ns'],
    percent: false,
  };
}

function unknownMetric(text: string, metric: string): string {
  const names = Object.keys(METRICS);
  const close = names.find((name) => editDistance(name, metric.toLowerCase()) <= 2);
  return `rule "${text}": unknown metric "${metric}"${close === undefined ? '' : ` (did you mean ${close}?)`}; metrics: ${names.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length];
}

/**
 * The noise floor when none is given: 5 ms, or 1% of BASE's time in Python when that is more.
 * Measured on reruns of the same programs (docs/ci.md): on an idle machine no function moved by
 * more than 1 ms while changing by 30% or more, on a busy one an I/O-bound function (reading
 * .pyc files) moved 2.6 ms -> 9.0 ms. A larger floor hides real regressions of mid-sized
 * functions (a 4.5x slower 33 ms function in a 5.9 s run is +115 ms, 2% of the run); big
 * functions' own wobble (up to ~30% on reruns) is for the rule's threshold, not the floor.
 */
export function defaultMinDelta(base: RunProfile): number {
  return Math.max(5e6, Math.round(base.tracedNs * 0.01));
}

/** The GC noise floor when none is given. */
export const DEFAULT_MIN_GC_DELTA_NS = 250e3;

/**
 * gc.p95 judges a generation only with at least this many collections on both sides: with fewer,
 * the nearest-rank 95th percentile is the longest pause, one sample, which a single preempted
 * collection moves by milliseconds (seen on reruns of the same program).
 */
export const MIN_COLLECTIONS_FOR_P95 = 20;

/** What a diff was judged with. */
export interface Gate {
  readonly rules: readonly Rule[];
  /** Time changes smaller than this (ns) are noise: no time rule fires on them. */
  readonly minDeltaNs: number;
  /** The same for GC pause times, which are far shorter than calls. */
  readonly minGcDeltaNs: number;
  /** Several runs per side: what tells a time change from the runs' noise (default: beyondNoise, noise-test.ts). */
  readonly noiseTest?: NoiseTest;
}

/** One item on which one rule fired. */
export interface Finding {
  readonly rule: string;
  readonly metric: Metric;
  /** What changed: a function, a path, a GC generation, a module or the run. */
  readonly scope: 'function' | 'path' | 'gc' | 'import' | 'run';
  /** functions[i], paths[i], gc[i] or imports[i] of the diff; -1 for the run. */
  readonly index: number;
  readonly change: Change;
}

/** Every (rule, item) that fires: in rule order, each rule's largest absolute changes first (deterministic). */
export function evaluateGate(diff: RunDiff, gate: Gate): Finding[] {
  const all: Finding[] = [];
  for (const rule of gate.rules) {
    const findings: Finding[] = [];
    const { scope, kind } = METRICS[rule.metric];
    const floor = kind === 'time' ? gate.minDeltaNs : kind === 'gc-time' ? gate.minGcDeltaNs : 0;
    const fires = (change: Change) => {
      if (floor > 0 && Math.abs(delta(change)) < floor) return false;
      if (delta(change) === 0) return false;
      return compare(rule.percent ? relative(change) : delta(change), rule.op, rule.threshold);
    };
    // Several runs per side: a count that varies between runs of a side fires only when the sides
    // are apart in the rule's direction; a time change only when beyond the runs' noise.
    const increase = rule.op === '>' || rule.op === '>=';
    const stable = (spread: Spread | undefined) => {
      if (spread === undefined) return true;
      if (kind === 'count') return (!varies(spread.base) && !varies(spread.head)) || countsSeparated(spread, increase);
      return (gate.noiseTest ?? beyondNoise)(spread);
    };
    const check = (index: number, change: Change, spread?: Spread) => {
      if (fires(change) && stable(spread))
        findings.push({ rule: rule.text, metric: rule.metric, scope, index, change });
    };
    const samples = diff.samples;
    switch (rule.metric) {
      case 'calls':
      case 'self':
      case 'total':
      case 'p95': {
        const field =
          rule.metric === 'calls'
            ? 'calls'
            : rule.metric === 'self'
              ? 'selfNs'
              : rule.metric === 'total'
                ? 'totalNs'
                : 'p95Ns';
        diff.functions.forEach((f, i) => check(i, f[field], samples?.functions[i][field]));
        break;
      }
      case 'path.calls':
      case 'path.self':
      case 'path.total': {
        const field = rule.metric === 'path.calls' ? 'calls' : rule.metric === 'path.self' ? 'selfNs' : 'totalNs';
        diff.paths?.forEach((p, i) => {
          if (!p.ignored) check(i, p[field], samples?.paths?.[i][field]);
        });
        break;
      }
      case 'gc.count':
      case 'gc.total':
      case 'gc.p95': {
        const field = rule.metric === 'gc.count' ? 'count' : rule.metric === 'gc.total' ? 'totalNs' : 'p95Ns';
        diff.gc.forEach((g, i) => {
          if (field === 'p95Ns' && Math.min(g.count.base, g.count.head) < MIN_COLLECTIONS_FOR_P95) return;
          check(i, g[field], samples?.gc[i][field]);
        });
        break;
      }
      case 'import':
      case 'import.self':
        diff.imports.forEach((m, i) => {
          const field = rule.metric === 'import' ? 'durationNs' : 'selfNs';
          check(i, m[field], samples?.imports[i][field]);
        });
        break;
      case 'traced':
        check(-1, diff.tracedNs, samples?.tracedNs);
        break;
      case 'duration':
        check(-1, diff.durationNs, samples?.durationNs);
        break;
    }
    // By impact: the largest absolute change first, also for a percentage rule (a +30 ms, +4392%
    // change of a tiny function must not come before a +270 ms, +40% one); then by percentage.
    const size = (f: Finding) => Math.abs(delta(f.change));
    const share = (f: Finding) => Math.abs(relative(f.change));
    findings.sort((a, b) => size(b) - size(a) || share(b) - share(a) || a.index - b.index);
    // One by one: spreading hundreds of thousands of findings into push() overflows the stack.
    for (const finding of findings) all.push(finding);
  }
  return all;
}

function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}
