import type { ProfileFunction, RunProfile } from './run-profile.js';
import { compareText } from '../text/compare.js';

/** A file of BASE that HEAD has under another path, matched by the functions in it. */
export interface FileRename {
  readonly base: string;
  readonly head: string;
  /** How alike the two files' function names are, 0..1 (shared names over all names, counted with repeats). */
  readonly similarity: number;
}

/** Below this, two files share too few functions to be taken as one file renamed. */
export const MIN_RENAME_SIMILARITY = 0.5;

/** Above this many (BASE-only x HEAD-only) file pairs, only files of the same base name are compared. */
const MAX_PAIRS_COMPARED = 250_000;

/**
 * Files only BASE has paired with files only HEAD has, when their functions' names mostly agree:
 * `before.py` recorded against `after.py`, or a checkout that sits in another folder on the CI
 * runner than where the baseline was recorded. Without this every function of such a file would
 * be "vanished" in BASE and "new" in HEAD, and `calls>0` would fire on all of them.
 *
 * Pairs are taken best first: most alike, then the longest common path ending (so
 * `/a/src/util.py` pairs with `/b/src/util.py` rather than `/b/lib/util.py`), then by path, which
 * makes the choice deterministic and the same in both directions.
 */
export function matchRenamedFiles(base: RunProfile, head: RunProfile): FileRename[] {
  const baseNames = namesByFile(base.functions);
  const headNames = namesByFile(head.functions);
  const baseOnly = [...baseNames.keys()].filter((file) => !headNames.has(file));
  const headOnly = [...headNames.keys()].filter((file) => !baseNames.has(file));
  if (baseOnly.length === 0 || headOnly.length === 0) return [];

  // Every file against every file, unless that is too many pairs (a large project whose checkout
  // moved): then only files with the same base name are compared.
  const sameNameOnly = baseOnly.length * headOnly.length > MAX_PAIRS_COMPARED;
  const headByBaseName = new Map<string, string[]>();
  for (const h of headOnly) {
    const key = sameNameOnly ? baseName(h) : '';
    const group = headByBaseName.get(key);
    if (group === undefined) headByBaseName.set(key, [h]);
    else group.push(h);
  }
  const candidates: Array<FileRename & { suffix: number }> = [];
  for (const b of baseOnly) {
    for (const h of headByBaseName.get(sameNameOnly ? baseName(b) : '') ?? []) {
      const similarity = nameSimilarity(baseNames.get(b)!, headNames.get(h)!);
      if (similarity >= MIN_RENAME_SIMILARITY)
        candidates.push({ base: b, head: h, similarity, suffix: commonSuffixLength(b, h) });
    }
  }
  // Ties are broken by the pair's two paths in text order whichever side each is on, so that
  // comparing HEAD with BASE pairs the same files as BASE with HEAD.
  candidates.sort(
    (x, y) => y.similarity - x.similarity || y.suffix - x.suffix || compareText(unordered(x), unordered(y)),
  );
  const pairedBase = new Set<string>();
  const pairedHead = new Set<string>();
  const renames: FileRename[] = [];
  for (const { base: b, head: h, similarity } of candidates) {
    if (pairedBase.has(b) || pairedHead.has(h)) continue;
    pairedBase.add(b);
    pairedHead.add(h);
    renames.push({ base: b, head: h, similarity });
  }
  return renames.sort((x, y) => compareText(x.base, y.base));
}

/** HEAD's profile with its renamed files' functions keyed as BASE's files, so they match. */
export function keyedAsBase(head: RunProfile, renames: readonly FileRename[]): RunProfile {
  if (renames.length === 0) return head;
  const baseFileOf = new Map(renames.map((rename) => [rename.head, rename.base]));
  const functions = head.functions.map((f) => {
    const baseFile = baseFileOf.get(f.file);
    // Keys start with the file and a NUL (run-profile.ts); the rest (name, rank) stays.
    return baseFile === undefined ? f : { ...f, key: baseFile + f.key.slice(f.file.length) };
  });
  return { ...head, functions };
}

function namesByFile(functions: readonly ProfileFunction[]): Map<string, Map<string, number>> {
  const byFile = new Map<string, Map<string, number>>();
  for (const f of functions) {
    let names = byFile.get(f.file);
    if (names === undefined) byFile.set(f.file, (names = new Map()));
    names.set(f.name, (names.get(f.name) ?? 0) + 1);
  }
  return byFile;
}

/** Shared names over all names of both files, counting repeats (`<lambda>` twice is two names). */
function nameSimilarity(a: Map<string, number>, b: Map<string, number>): number {
  let shared = 0;
  let all = 0;
  for (const [name, count] of a) {
    const other = b.get(name) ?? 0;
    shared += Math.min(count, other);
    all += Math.max(count, other);
  }
  for (const [name, count] of b) if (!a.has(name)) all += count;
  return all === 0 ? 0 : shared / all;
}

function commonSuffixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

const unordered = (pair: { base: string; head: string }) =>
  pair.base < pair.head ? `${pair.base}\0${pair.head}` : `${pair.head}\0${pair.base}`;

const baseName = (file: string) => file.slice(file.lastIndexOf('/') + 1);
