import { compareRuns, type CompareOptions, type RunDiff } from './compare.js';
import { keyedAsBase } from './file-renames.js';
import { combineRuns, median, type RunSet } from './run-set.js';
import type { RunProfile } from './run-profile.js';

/** One item's value in every run of each side (HEAD's scaled like its median when --normalize is on). */
export interface Spread {
  readonly base: readonly number[];
  readonly head: readonly number[];
}

/** Per-run values aligned with a diff's items (diff.functions[i] with functions[i], and so on). */
export interface DiffSamples {
  readonly runs: { readonly base: number; readonly head: number };
  readonly sources: { readonly base: readonly string[]; readonly head: readonly string[] };
  readonly functions: readonly {
    readonly calls: Spread;
    readonly selfNs: Spread;
    readonly totalNs: Spread;
    readonly p95Ns: Spread;
  }[];
  readonly paths: readonly { readonly calls: Spread; readonly selfNs: Spread; readonly totalNs: Spread }[] | undefined;
  readonly gc: readonly { readonly count: Spread; readonly totalNs: Spread; readonly p95Ns: Spread }[];
  readonly imports: readonly { readonly durationNs: Spread; readonly selfNs: Spread }[];
  readonly tracedNs: Spread;
  readonly durationNs: Spread;
}

/**
 * Compares several runs per side: the medians of each side compared as two runs are, plus every
 * run's values of each item (diff.samples) for the noise test and the reports. One run per side is
 * exactly compareRuns (no samples): today's diff, byte for byte.
 */
export function compareRunSets(
  baseRuns: readonly RunProfile[],
  headRuns: readonly RunProfile[],
  options: CompareOptions = {},
): RunDiff {
  if (baseRuns.length === 1 && headRuns.length === 1) return compareRuns(baseRuns[0], headRuns[0], options);
  // --normalize with several runs scales every run, BASE's too, to BASE's median time in Python:
  // on a shared machine whole runs get faster and slower together (a run 30% faster than the
  // others, every function alike, was seen), and that drift is what would otherwise widen the
  // spread of every item and hide a real change.
  const target = median(baseRuns.map((run) => run.tracedNs));
  const normalizable =
    options.normalize === true && target > 0 && [...baseRuns, ...headRuns].every((r) => r.tracedNs > 0);
  const scaled = (runs: readonly RunProfile[]) =>
    normalizable ? runs.map((run) => scaleRun(run, target / run.tracedNs)) : runs;
  const base = combineRuns(scaled(baseRuns));
  const head = combineRuns(scaled(headRuns));
  const diff = compareRuns(base.median, head.median, options);
  return { ...diff, samples: samplesOf(diff, base, head) };
}

function samplesOf(diff: RunDiff, base: RunSet, head: RunSet): DiffSamples {
  const scaled = (values: readonly number[]) =>
    diff.scale === 1 ? values : values.map((ns) => Math.round(ns * diff.scale));
  const zeros = (n: number) => new Array<number>(n).fill(0);
  const baseIndex = new Map(base.median.functions.map((f, i) => [f.key, i]));
  // compareRuns keyed HEAD's functions as BASE's where a file was renamed; the same here.
  const headKeyed = keyedAsBase(head.median, diff.renamedFiles);
  const headIndex = new Map(headKeyed.functions.map((f, i) => [f.key, i]));
  const pick = (
    set: RunSet,
    index: number | undefined,
    column: readonly number[][],
    time: boolean,
  ): readonly number[] =>
    index === undefined ? zeros(set.runs) : time && set === head ? scaled(column[index]) : column[index];
  const spread = (
    b: number | undefined,
    h: number | undefined,
    bc: readonly number[][],
    hc: readonly number[][],
    time: boolean,
  ): Spread => ({
    base: pick(base, b, bc, false),
    head: pick(head, h, hc, time),
  });

  const functions = diff.functions.map((f) => {
    const b = baseIndex.get(f.key);
    const h = headIndex.get(f.key);
    return {
      calls: spread(b, h, base.functions.calls, head.functions.calls, false),
      selfNs: spread(b, h, base.functions.selfNs, head.functions.selfNs, true),
      totalNs: spread(b, h, base.functions.totalNs, head.functions.totalNs, true),
      p95Ns: spread(b, h, base.functions.p95Ns, head.functions.p95Ns, true),
    };
  });

  const gcIndex = (set: RunSet) => new Map(set.median.gc.map((g, i) => [g.generation, i]));
  const baseGc = gcIndex(base);
  const headGc = gcIndex(head);
  const gc = diff.gc.map((g) => {
    const b = baseGc.get(g.generation);
    const h = headGc.get(g.generation);
    return {
      count: spread(b, h, base.gc.count, head.gc.count, false),
      totalNs: spread(b, h, base.gc.totalNs, head.gc.totalNs, true),
      p95Ns: spread(b, h, base.gc.p95Ns, head.gc.p95Ns, true),
    };
  });

  const moduleIndex = (set: RunSet) => new Map(set.median.imports.map((m, i) => [m.module, i]));
  const baseModules = moduleIndex(base);
  const headModules = moduleIndex(head);
  const imports = diff.imports.map((m) => {
    const b = baseModules.get(m.module);
    const h = headModules.get(m.module);
    return {
      durationNs: spread(b, h, base.imports.durationNs, head.imports.durationNs, true),
      selfNs: spread(b, h, base.imports.selfNs, head.imports.selfNs, true),
    };
  });

  return {
    runs: { base: base.runs, head: head.runs },
    sources: { base: base.sources, head: head.sources },
    functions,
    paths: pathSamples(diff, base, headKeyed, head, spread),
    gc,
    imports,
    tracedNs: { base: base.tracedNs, head: scaled(head.tracedNs) },
    durationNs: { base: base.durationNs, head: scaled(head.durationNs) },
  };
}

/**
 * compareRuns numbers paths by interning BASE's tree, then HEAD's, as (parent path, function key)
 * pairs; the same interning here tells which tree entry of each side each path of the diff is.
 */
function pathSamples(
  diff: RunDiff,
  base: RunSet,
  headKeyed: RunProfile,
  head: RunSet,
  spread: (
    b: number | undefined,
    h: number | undefined,
    bc: readonly number[][],
    hc: readonly number[][],
    time: boolean,
  ) => Spread,
): DiffSamples['paths'] {
  if (diff.paths === undefined || base.paths === undefined || head.paths === undefined) return undefined;
  const ids = new Map<string, number>();
  const baseEntry: Array<number | undefined> = new Array(diff.paths.length);
  const headEntry: Array<number | undefined> = new Array(diff.paths.length);
  const intern = (run: RunProfile, entries: Array<number | undefined>) => {
    const tree = run.callTree!;
    const pathOf = new Int32Array(tree.parent.length);
    for (let i = 0; i < tree.parent.length; i++) {
      const parent = tree.parent[i] < 0 ? -1 : pathOf[tree.parent[i]];
      const key = `${parent}\u0001${run.functions[tree.fn[i]].key}`;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      pathOf[i] = id;
      entries[id] = i;
    }
  };
  intern(base.median, baseEntry);
  intern(headKeyed, headEntry);
  const bp = base.paths;
  const hp = head.paths;
  return diff.paths.map((_, id) => ({
    calls: spread(baseEntry[id], headEntry[id], bp.calls, hp.calls, false),
    selfNs: spread(baseEntry[id], headEntry[id], bp.selfNs, hp.selfNs, true),
    totalNs: spread(baseEntry[id], headEntry[id], bp.totalNs, hp.totalNs, true),
  }));
}

/** A run with every time multiplied by `factor` (counts unchanged). */
export function scaleRun(run: RunProfile, factor: number): RunProfile {
  const t = (ns: number) => Math.round(ns * factor);
  return {
    ...run,
    durationNs: t(run.durationNs),
    tracedNs: t(run.tracedNs),
    functions: run.functions.map((f) => ({
      ...f,
      selfNs: t(f.selfNs),
      totalNs: t(f.totalNs),
      p95Ns: f.p95Ns === null ? null : t(f.p95Ns),
    })),
    callTree:
      run.callTree === undefined
        ? undefined
        : { ...run.callTree, selfNs: run.callTree.selfNs.map(t), totalNs: run.callTree.totalNs.map(t) },
    gc: run.gc.map((g) => ({ ...g, totalNs: t(g.totalNs), p95Ns: t(g.p95Ns) })),
    imports: run.imports.map((m) => ({ ...m, durationNs: t(m.durationNs), selfNs: t(m.selfNs) })),
  };
}
