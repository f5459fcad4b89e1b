import { keyedAsBase, matchRenamedFiles, type FileRename } from './file-renames.js';
import type { ProfileFunction, RunProfile } from './run-profile.js';
import { compareText } from '../text/compare.js';
import type { DiffSamples } from './compare-sets.js';

/** A value in BASE and in HEAD (HEAD's times already scaled when --normalize is on). */
export interface Change {
  readonly base: number;
  readonly head: number;
}

/** Present on both sides, only in HEAD (new) or only in BASE (vanished). */
export type Presence = 'both' | 'new' | 'vanished';

export interface FunctionDiff {
  readonly key: string;
  readonly name: string;
  readonly file: string;
  /** HEAD's def line when it has the function, else BASE's. */
  readonly line: number;
  readonly presence: Presence;
  readonly calls: Change;
  readonly selfNs: Change;
  readonly totalNs: Change;
  /** 0 where a side saw no whole call. */
  readonly p95Ns: Change;
}

export interface PathFrame {
  readonly name: string;
  readonly file: string;
}

/**
 * One call path: its last function and its caller's path (an index into the same array, -1 for a
 * root call). Frames are not copied into every path: a 100,000-deep recursion has 100,000 paths.
 */
export interface PathDiff {
  readonly parent: number;
  readonly name: string;
  readonly file: string;
  /** 1 for a root call. */
  readonly depth: number;
  /** Its last function is --ignore'd: shown in no table and judged by no rule. */
  readonly ignored: boolean;
  readonly presence: Presence;
  readonly calls: Change;
  readonly selfNs: Change;
  readonly totalNs: Change;
}

export interface GcDiff {
  readonly generation: number;
  readonly count: Change;
  readonly totalNs: Change;
  readonly p95Ns: Change;
}

export interface ImportDiff {
  readonly module: string;
  readonly presence: Presence;
  readonly durationNs: Change;
  readonly selfNs: Change;
}

export interface RunDiff {
  readonly base: RunProfile;
  readonly head: RunProfile;
  /** What HEAD's times were multiplied by (1 without --normalize). */
  readonly scale: number;
  readonly normalized: boolean;
  readonly tracedNs: Change;
  readonly durationNs: Change;
  /** Every function of either side (not ignored), in key order. */
  readonly functions: readonly FunctionDiff[];
  /** Every call path of either side, callers before callees; undefined when a side has no call paths (an old --json). */
  readonly paths: readonly PathDiff[] | undefined;
  readonly gc: readonly GcDiff[];
  readonly imports: readonly ImportDiff[];
  /** Functions and modules left out by --ignore. */
  readonly ignored: number;
  /** Files HEAD has under another path than BASE, matched by their functions (none with --no-renames). */
  readonly renamedFiles: readonly FileRename[];
  /** Several runs on a side (compare-sets.ts): every run's values of each item; undefined for one run per side. */
  readonly samples?: DiffSamples;
}

export interface CompareOptions {
  /** Scale HEAD's times so its traced total equals BASE's. */
  readonly normalize?: boolean;
  /** Functions (name, file or file:name) and modules to leave out. */
  readonly ignore?: RegExp;
  /** Match a file only one side has with one only the other has, by their functions (default on). */
  readonly renames?: boolean;
}

/** Compares two runs item by item: a pure function of the two profiles. */
export function compareRuns(base: RunProfile, headAsRecorded: RunProfile, options: CompareOptions = {}): RunDiff {
  const renamedFiles = options.renames === false ? [] : matchRenamedFiles(base, headAsRecorded);
  const head = keyedAsBase(headAsRecorded, renamedFiles);
  const normalized = options.normalize === true && head.tracedNs > 0 && base.tracedNs > 0;
  const scale = normalized ? base.tracedNs / head.tracedNs : 1;
  const time = (ns: number) => (scale === 1 ? ns : Math.round(ns * scale));
  const ignore = options.ignore;
  const ignoredFunction = (f: ProfileFunction) =>
    ignore !== undefined && (ignore.test(f.name) || ignore.test(f.file) || ignore.test(`${f.file}:${f.name}`));
  let ignored = 0;

  const headByKey = new Map(head.functions.map((f) => [f.key, f]));
  const baseByKey = new Map(base.functions.map((f) => [f.key, f]));
  const functions: FunctionDiff[] = [];
  for (const key of [...new Set([...baseByKey.keys(), ...headByKey.keys()])].sort(compareText)) {
    const b = baseByKey.get(key);
    const h = headByKey.get(key);
    const any = (h ?? b)!;
    if (ignoredFunction(any)) {
      ignored++;
      continue;
    }
    functions.push({
      key,
      name: any.name,
      file: any.file,
      line: any.line,
      presence: b === undefined ? 'new' : h === undefined ? 'vanished' : 'both',
      calls: { base: b?.calls ?? 0, head: h?.calls ?? 0 },
      selfNs: { base: b?.selfNs ?? 0, head: time(h?.selfNs ?? 0) },
      totalNs: { base: b?.totalNs ?? 0, head: time(h?.totalNs ?? 0) },
      p95Ns: { base: b?.p95Ns ?? 0, head: time(h?.p95Ns ?? 0) },
    });
  }

  const generations = [...new Set([...base.gc, ...head.gc].map((g) => g.generation))].sort((a, b) => a - b);
  const gc = generations.map((generation) => {
    const b = base.gc.find((g) => g.generation === generation);
    const h = head.gc.find((g) => g.generation === generation);
    return {
      generation,
      count: { base: b?.count ?? 0, head: h?.count ?? 0 },
      totalNs: { base: b?.totalNs ?? 0, head: time(h?.totalNs ?? 0) },
      p95Ns: { base: b?.p95Ns ?? 0, head: time(h?.p95Ns ?? 0) },
    };
  });

  const headImports = new Map(head.imports.map((i) => [i.module, i]));
  const baseImports = new Map(base.imports.map((i) => [i.module, i]));
  const imports: ImportDiff[] = [];
  for (const module of [...new Set([...baseImports.keys(), ...headImports.keys()])].sort(compareText)) {
    if (ignore?.test(module)) {
      ignored++;
      continue;
    }
    const b = baseImports.get(module);
    const h = headImports.get(module);
    imports.push({
      module,
      presence: b === undefined ? 'new' : h === undefined ? 'vanished' : 'both',
      durationNs: { base: b?.durationNs ?? 0, head: time(h?.durationNs ?? 0) },
      selfNs: { base: b?.selfNs ?? 0, head: time(h?.selfNs ?? 0) },
    });
  }

  return {
    base,
    head,
    scale,
    normalized,
    tracedNs: { base: base.tracedNs, head: time(head.tracedNs) },
    durationNs: { base: base.durationNs, head: time(head.durationNs) },
    functions,
    paths: comparePaths(base, head, time, (f) => ignoredFunction(f)),
    gc,
    imports,
    ignored,
    renamedFiles,
  };
}

/**
 * Call paths matched by their functions' keys, root first. Paths are interned as (parent path,
 * function key) pairs shared by both sides, so matching costs one map lookup per path however
 * deep it is. Parents are interned before their children (each side's tree lists them first).
 */
function comparePaths(
  base: RunProfile,
  head: RunProfile,
  time: (ns: number) => number,
  ignored: (f: ProfileFunction) => boolean,
): PathDiff[] | undefined {
  if (base.callTree === undefined || head.callTree === undefined) return undefined;
  const ids = new Map<string, number>();
  const parentOf: number[] = [];
  const leafOf: ProfileFunction[] = [];
  const sums: Array<{
    base: [number, number, number];
    head: [number, number, number];
    inBase: boolean;
    inHead: boolean;
  }> = [];
  const add = (run: RunProfile, side: 'base' | 'head') => {
    const tree = run.callTree!;
    const pathOf = new Int32Array(tree.parent.length);
    for (let i = 0; i < tree.parent.length; i++) {
      const fn = run.functions[tree.fn[i]];
      const parentPath = tree.parent[i] < 0 ? -1 : pathOf[tree.parent[i]];
      const key = `${parentPath}\u0001${fn.key}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = parentOf.length;
        ids.set(key, id);
        parentOf.push(parentPath);
        leafOf.push(fn);
        sums.push({ base: [0, 0, 0], head: [0, 0, 0], inBase: false, inHead: false });
      }
      // A path both sides have is named as HEAD recorded it: it is drawn with HEAD's width, and
      // a renamed file's frames must say HEAD's file.
      if (side === 'head') leafOf[id] = fn;
      pathOf[i] = id;
      const sum = sums[id];
      sum[side][0] += tree.calls[i];
      sum[side][1] += tree.selfNs[i];
      sum[side][2] += tree.totalNs[i];
      if (side === 'base') sum.inBase = true;
      else sum.inHead = true;
    }
  };
  add(base, 'base');
  add(head, 'head');
  const paths: PathDiff[] = [];
  for (let id = 0; id < parentOf.length; id++) {
    const { base: b, head: h, inBase, inHead } = sums[id];
    const parent = parentOf[id];
    paths.push({
      parent,
      name: leafOf[id].name,
      file: leafOf[id].file,
      depth: parent < 0 ? 1 : paths[parent].depth + 1,
      ignored: ignored(leafOf[id]),
      presence: inBase && inHead ? 'both' : inHead ? 'new' : 'vanished',
      calls: { base: b[0], head: h[0] },
      selfNs: { base: b[1], head: time(h[1]) },
      totalNs: { base: b[2], head: time(h[2]) },
    });
  }
  return paths;
}

/** A path's frames, root first; at most `max` of them (the root and the last ones, elided between). */
export function pathFrames(
  paths: readonly PathDiff[],
  index: number,
  max = Infinity,
): { frames: PathFrame[]; elided: number } {
  const frames: PathFrame[] = [];
  const depth = paths[index].depth;
  const keepLast = Math.max(1, max - 1);
  for (let p = index; p >= 0; p = paths[p].parent) {
    // The root, and the last keepLast frames; a count for what lies between.
    if (frames.length < keepLast || paths[p].parent < 0) frames.push({ name: paths[p].name, file: paths[p].file });
  }
  frames.reverse();
  return { frames, elided: depth - frames.length };
}

/** HEAD minus BASE. */
export const delta = (change: Change): number => change.head - change.base;

/** The change in percent of BASE: ±Infinity from zero, 0 for no change. */
export function relative(change: Change): number {
  const d = change.head - change.base;
  if (d === 0) return 0;
  if (change.base === 0) return d > 0 ? Infinity : -Infinity;
  return (d / Math.abs(change.base)) * 100;
}
