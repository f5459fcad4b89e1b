import type { WeightedTree } from '../model/weighted-tree.js';
import { Diagnostics, TraceInputError, type Warning } from '../model/diagnostics.js';
import { ByteKeyTable } from '../parse/byte-key-table.js';
import { openInput } from '../parse/input-source.js';
import { LineSplitter } from '../parse/line-splitter.js';
import { parseCount } from './count.js';
import { FoldedTreeBuilder } from './folded-tree.js';
import { looksLikePerfScript, PERF_SCRIPT_HINT } from './perf-script.js';
import { asUtf8, type TextEncoding } from './text-encoding.js';

/** One input of a profile: what was read from it and what was wrong. */
export interface FoldedInput {
  /** The name used in messages: the path, or `<stdin>`. */
  readonly source: string;
  /** Lines read (blank ones included). */
  readonly lines: number;
  /** Lines that gave a stack. */
  readonly stackLines: number;
  readonly gzip: boolean;
  /** As found from its byte order mark (none: `utf-8`). */
  readonly encoding: TextEncoding;
  /** Damaged lines skipped and comments, counted. */
  readonly warnings: Warning[];
}

/**
 * The first counts of a differential folded file (`stack BEFORE AFTER`, as difffolded.pl and
 * inferno-diff-folded write): the tree's weights are the second counts (AFTER, the widths, as
 * flamegraph.pl draws them), these the first.
 */
export interface FoldedBaseline {
  /** Per node, the first counts of the stacks ending there (one-count lines: their count). */
  readonly self: Float64Array;
  /** Per node, the first counts of the stacks through it. */
  readonly total: Float64Array;
  /** Lines with two counts. */
  readonly lines: number;
}

/** Stacks from one or more folded files (Brendan Gregg's format), merged into one tree. */
export interface FoldedProfile {
  /** The name used in messages: the path, or `<stdin>` (several inputs: the first, `+ N more`). */
  readonly source: string;
  /** Each input read, in order. */
  readonly inputs: readonly FoldedInput[];
  /** The merged stacks; `frame` indexes `labels`. */
  readonly tree: WeightedTree;
  /** Each distinct frame label, as written (invalid UTF-8 as U+FFFD). */
  readonly labels: readonly string[];
  /** Lines read (blank ones included), all inputs. */
  readonly lines: number;
  /** Lines that gave a stack. */
  readonly stackLines: number;
  /** Distinct stacks (after duplicates were added up). */
  readonly stacks: number;
  /** The sum of the counts: the root's weight. */
  readonly total: number;
  /** Every input was gzip. */
  readonly gzip: boolean;
  /** Damaged lines and comments, skipped and counted: each input's in turn (its own line numbers in `inputs`). */
  readonly warnings: Warning[];
  /** Present when some line had two counts: a differential profile. */
  readonly baseline?: FoldedBaseline;
}

export interface ReadFoldedOptions {
  /** Read for `-` (default process.stdin). */
  readonly stdin?: NodeJS.ReadableStream;
  /** Read size (tests use tiny ones to cut lines across chunks). */
  readonly chunkBytes?: number;
  /** Each stack's frames in reverse order (flamegraph.pl --reverse): merged from the leaf. */
  readonly reverse?: boolean;
  /** A frame merges only with the same frame of the stack right before it (flamegraph.pl --flamechart). */
  readonly flamechart?: boolean;
  /** Every count multiplied by this (flamegraph.pl --factor; default 1). */
  readonly factor?: number;
}

/** After this many damaged lines and none valid, the input is not folded stacks: stop reading. */
const SNIFF_LINES = 1000;
/** The most tree nodes room is made for before reading (~100 MB of table and columns). */
const MAX_PRESIZED_NODES = 4_000_000;
const EXPECTED =
  'expected folded stacks, one "frame;frame;...;frame COUNT" per line (frames separated by ";", then whitespace and a number)';

/** First non-blank lines of each input kept to recognize `perf script` output. */
const HEAD_LINES = 40;
/** Of each, the first bytes only. */
const HEAD_LINE_BYTES = 256;

const SEMICOLON = 59;
const HASH = 35;
const DOT = 46;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const isBlank = (byte: number) => byte === SPACE || byte === TAB || byte === CR;

/** What is wrong with a damaged line (the warning adds "line skipped"). */
const DAMAGE = {
  'missing-count': 'no count at the end (whitespace, then a number)',
  'bad-count': 'a count that is negative or not a finite number',
  'control-character': 'a control character (tab, NUL, ESC, ...) inside the stack',
} as const;
type Damage = keyof typeof DAMAGE;
const isDigit = (byte: number) => byte >= 48 && byte <= 57;

/**
 * Reads folded stacks: `frame;frame;...;frame COUNT` per line, the count (an integer or a decimal
 * such as `1.5`, `2e3`) separated from the stack by the last run of spaces or tabs, so frames may
 * hold spaces. Plain or gzip (by magic bytes), `-` for stdin; UTF-8 (a byte order mark is
 * dropped) or UTF-16 with a byte order mark; CR LF and blank lines are fine; duplicate stacks add
 * up; several inputs are merged into one tree, as flamegraph.pl and inferno do. As flamegraph.pl
 * reads them: empty frames are kept (`a;;b`, `;a`) except trailing ones (`a;b;` is `a;b`), and a
 * line `stack N M` is differential (N before, M after; M is the weight). `#` lines are comments,
 * skipped and counted. The file is streamed: frames are interned from the bytes (no string per
 * frame per line) and stacks merged into a prefix tree as they come, so memory grows with the
 * distinct frames and paths only. Damaged lines are skipped and counted as warnings; an input with
 * no valid line at all, or raw `perf script` output, is a TraceInputError naming the file, the
 * first bad line and what was expected.
 */
export async function readFolded(
  paths: string | readonly string[],
  options: ReadFoldedOptions = {},
): Promise<FoldedProfile> {
  const list = typeof paths === 'string' ? [paths] : paths;
  if (list.length === 0) throw new TypeError('readFolded: no input');
  const inputs = [];
  for (const path of list) inputs.push(await openInput(path, options.stdin, options.chunkBytes));
  // Distinct paths are at most the frames read; guess from the size (a frame and its ';' take
  // ~50 bytes), capped so that a huge file of few stacks does not reserve much.
  const bytes = inputs.reduce((sum, input) => sum + (input.sizeBytes ?? 0), 0);
  const reader = new FoldedReader(Math.min(MAX_PRESIZED_NODES, Math.round(bytes / 64)), options);
  for (const input of inputs) {
    reader.begin(input.name);
    let encoding: TextEncoding = 'utf-8';
    const splitter = new LineSplitter(input.name, (line, start, end, lineNo) => reader.line(line, start, end, lineNo));
    for await (const chunk of asUtf8(input.chunks(), (found) => (encoding = found))) splitter.push(chunk);
    splitter.end();
    if (input.truncatedGzip())
      reader.file.diagnostics.warn(
        'truncated-gzip',
        'the gzip stream ends early (the file was cut short); read what it holds',
        undefined,
      );
    reader.end(splitter.lines, input.gzip, encoding);
  }
  return reader.finish();
}

/** FNV-1a-like over 32-bit words, then the last bytes: a quarter of the steps of a byte loop. */
function hashBytes(view: DataView, start: number, end: number): number {
  let hash = 0x811c9dc5 ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) hash = Math.imul(hash ^ view.getInt32(i, true), 0x01000193);
  for (; i < end; i++) hash = Math.imul(hash ^ view.getUint8(i), 0x01000193);
  hash ^= hash >>> 15;
  return Math.imul(hash, 0x2c1b3c6d) >>> 0;
}

function hasControlCharacter(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] < SPACE || bytes[i] === 0x7f) return true;
  return false;
}

/** What the reader knows of the input being read. */
class FileState {
  readonly diagnostics = new Diagnostics();
  stackLines = 0;
  damaged = 0;
  firstDamage: { line: number; damage: Damage } | undefined;
  /** The first non-blank lines, until they are judged (perf script or not). */
  head: string[] | undefined = [];
  constructor(readonly source: string) {}
}

/** The per-line work of readFolded: one instance per profile, its inputs read in turn. */
class FoldedReader {
  private readonly frameIds = new ByteKeyTable();
  private readonly labels: string[] = [];
  /** The node where the line being read ends. */
  private leaf = 0;
  private view: DataView | undefined;
  private viewOf: Buffer | undefined;
  private total = 0;
  private readonly inputs: FoldedInput[] = [];
  file = new FileState('');
  /** Differential lines: per node, the sum of their first counts and of their second counts. */
  private readonly before = new Map<number, number>();
  private readonly after = new Map<number, number>();
  private differentialLines = 0;
  /** Frame ids of the line being read, for --reverse. */
  private frames: number[] = [];
  private readonly factor: number;

  private readonly tree: FoldedTreeBuilder;

  constructor(
    expectedNodes: number,
    private readonly options: ReadFoldedOptions,
  ) {
    this.tree = new FoldedTreeBuilder(expectedNodes);
    this.factor = options.factor ?? 1;
  }

  begin(source: string): void {
    this.file = new FileState(source);
  }

  line(bytes: Buffer, start: number, lineEnd: number, lineNo: number): void {
    let end = lineEnd;
    while (end > start && isBlank(bytes[end - 1])) end--;
    if (end === start) return; // a blank line
    const file = this.file;
    if (file.head !== undefined) this.sniff(bytes, start, end, lineNo);
    if (bytes[start] === HASH) {
      file.diagnostics.warn('comment', 'a comment line (starting with #); line skipped', lineNo);
      return;
    }
    let countStart = end;
    while (countStart > start && !isBlank(bytes[countStart - 1])) countStart--;
    if (countStart === start) return this.damage('missing-count', lineNo);
    let count = parseCount(bytes, countStart, end);
    if (count === undefined) return this.damage('missing-count', lineNo);
    if (count < 0 || !Number.isFinite(count)) return this.damage('bad-count', lineNo);
    let stackEnd = countStart;
    while (stackEnd > start && isBlank(bytes[stackEnd - 1])) stackEnd--;
    // A second count before it (flamegraph.pl's differential input): digits and a dot only,
    // after whitespace, as flamegraph.pl reads it; scanning stops at the first other byte.
    let before: number | undefined;
    let firstStart = stackEnd;
    while (firstStart > start && (isDigit(bytes[firstStart - 1]) || bytes[firstStart - 1] === DOT)) firstStart--;
    if (firstStart < stackEnd && firstStart > start && isBlank(bytes[firstStart - 1]) && isDigit(bytes[firstStart])) {
      before = parseCount(bytes, firstStart, stackEnd);
      if (before !== undefined && Number.isFinite(before)) {
        stackEnd = firstStart;
        while (stackEnd > start && isBlank(bytes[stackEnd - 1])) stackEnd--;
      } else {
        before = undefined;
      }
    }
    // Trailing empty frames are dropped (perl's split does), so `a;b;` is `a;b`.
    while (stackEnd > start && bytes[stackEnd - 1] === SEMICOLON) stackEnd--;
    if (stackEnd === start) {
      this.leaf = 0; // no frame at all (`; 3`): the count is the root's own
    } else {
      const damage = this.options.reverse
        ? this.walkReversed(bytes, start, stackEnd)
        : this.walk(bytes, start, stackEnd);
      if (damage !== undefined) return this.damage(damage, lineNo);
    }
    file.stackLines++;
    count *= this.factor;
    if (before !== undefined) {
      before *= this.factor;
      this.differentialLines++;
      this.before.set(this.leaf, (this.before.get(this.leaf) ?? 0) + before);
      this.after.set(this.leaf, (this.after.get(this.leaf) ?? 0) + count);
    }
    if (count > 0 || before !== undefined) {
      this.tree.addStack(this.leaf, count);
      this.total += count;
    }
  }

  /** Keeps the first lines; once there are enough, refuses `perf script` output. */
  private sniff(bytes: Buffer, start: number, end: number, lineNo: number): void {
    const head = this.file.head!;
    // The start of the line is enough to judge it: a head of 16 MiB lines stays small.
    head.push(bytes.toString('utf8', start, Math.min(end, start + HEAD_LINE_BYTES)));
    if (head.length >= HEAD_LINES) this.judgeHead(lineNo);
  }

  private judgeHead(lineNo: number | undefined): void {
    const head = this.file.head;
    this.file.head = undefined;
    if (head !== undefined && looksLikePerfScript(head))
      throw new TraceInputError(
        this.file.source,
        lineNo === undefined ? undefined : 1,
        `not folded stacks: ${PERF_SCRIPT_HINT}`,
      );
  }

  private child(node: number, frame: number): number {
    return this.options.flamechart ? this.tree.adjacentChild(node, frame) : this.tree.child(node, frame);
  }

  /** The frame id of bytes[start, end), interned; or a damage. */
  private frameId(bytes: Buffer, view: DataView, frameStart: number, frameEnd: number): number | Damage {
    const hash = hashBytes(view, frameStart, frameEnd);
    let frame = this.frameIds.get(view, frameStart, frameEnd, hash);
    if (frame < 0) {
      // Checked once per distinct frame: a frame equal to a known one is clean too.
      if (hasControlCharacter(bytes, frameStart, frameEnd)) return 'control-character';
      frame = this.labels.length;
      this.labels.push(bytes.toString('utf8', frameStart, frameEnd));
      this.frameIds.add(bytes, frameStart, frameEnd, hash, frame);
    }
    return frame;
  }

  private viewFor(bytes: Buffer): DataView {
    if (this.viewOf !== bytes) {
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      this.viewOf = bytes;
    }
    return this.view!;
  }

  /** Finds (or makes) the tree nodes of the stack bytes[start, end); the last one into this.leaf. */
  private walk(bytes: Buffer, start: number, end: number): Damage | undefined {
    // The hot loop of the reader (every frame of every line): kept flat, no calls per frame but
    // the table lookup and the tree's.
    const view = this.viewFor(bytes);
    const frameIds = this.frameIds;
    const tree = this.tree;
    const adjacent = this.options.flamechart === true;
    let node = 0;
    for (let frameStart = start; frameStart <= end; ) {
      // The frame's end: its ';' (found natively), or the end of the stack.
      let frameEnd = bytes.indexOf(SEMICOLON, frameStart);
      if (frameEnd < 0 || frameEnd > end) frameEnd = end;
      const hash = hashBytes(view, frameStart, frameEnd);
      let frame = frameIds.get(view, frameStart, frameEnd, hash);
      if (frame < 0) {
        // Checked once per distinct frame: a frame equal to a known one is clean too.
        if (hasControlCharacter(bytes, frameStart, frameEnd)) return 'control-character';
        frame = this.labels.length;
        this.labels.push(bytes.toString('utf8', frameStart, frameEnd));
        frameIds.add(bytes, frameStart, frameEnd, hash, frame);
      }
      node = adjacent ? tree.adjacentChild(node, frame) : tree.child(node, frame);
      frameStart = frameEnd + 1;
    }
    this.leaf = node;
    return undefined;
  }

  /** walk with the frames in reverse order (the leaf first). */
  private walkReversed(bytes: Buffer, start: number, end: number): Damage | undefined {
    const view = this.viewFor(bytes);
    const frames = this.frames;
    frames.length = 0;
    for (let frameStart = start; frameStart <= end; ) {
      let frameEnd = bytes.indexOf(SEMICOLON, frameStart);
      if (frameEnd < 0 || frameEnd > end) frameEnd = end;
      const frame = this.frameId(bytes, view, frameStart, frameEnd);
      if (typeof frame === 'string') return frame;
      frames.push(frame);
      frameStart = frameEnd + 1;
    }
    let node = 0;
    for (let i = frames.length - 1; i >= 0; i--) node = this.child(node, frames[i]);
    this.leaf = node;
    return undefined;
  }

  private damage(damage: Damage, lineNo: number): void {
    const file = this.file;
    file.damaged++;
    file.firstDamage ??= { line: lineNo, damage };
    file.diagnostics.warn(damage, `${DAMAGE[damage]}; line skipped`, lineNo);
    if (file.stackLines === 0 && file.damaged >= SNIFF_LINES) this.notFolded();
  }

  private notFolded(): never {
    const file = this.file;
    if (file.head !== undefined) this.judgeHead(file.firstDamage?.line);
    const first = file.firstDamage!;
    const stopped = file.damaged >= SNIFF_LINES ? ` (stopped after ${SNIFF_LINES} such lines)` : '';
    throw new TraceInputError(
      file.source,
      first.line,
      `not folded stacks, no valid line${stopped}: ${EXPECTED}; this line has ${DAMAGE[first.damage]}`,
    );
  }

  /** The input being read has ended. */
  end(lines: number, gzip: boolean, encoding: TextEncoding): void {
    const file = this.file;
    if (file.head !== undefined) this.judgeHead(file.head.length === 0 ? undefined : 1);
    if (file.stackLines === 0) {
      if (file.firstDamage === undefined)
        throw new TraceInputError(file.source, undefined, `no stacks (empty, blank or only comments): ${EXPECTED}`);
      this.notFolded();
    }
    const warnings = file.diagnostics.list();
    this.inputs.push({ source: file.source, lines, stackLines: file.stackLines, gzip, encoding, warnings });
  }

  finish(): FoldedProfile {
    const tree = this.tree.finish();
    let stacks = 0;
    for (let node = 1; node < tree.size; node++) if (tree.self[node] > 0) stacks++;
    const inputs = this.inputs;
    const source = inputs.length === 1 ? inputs[0].source : `${inputs[0].source} + ${inputs.length - 1} more`;
    const profile: FoldedProfile = {
      source,
      inputs,
      tree,
      labels: this.labels,
      lines: inputs.reduce((sum, input) => sum + input.lines, 0),
      stackLines: inputs.reduce((sum, input) => sum + input.stackLines, 0),
      stacks,
      total: this.total,
      gzip: inputs.every((input) => input.gzip),
      warnings: inputs.flatMap((input) => input.warnings),
    };
    if (this.differentialLines === 0) return profile;
    // One-count lines count the same before and after; two-count lines their first count before.
    const self = new Float64Array(tree.self);
    for (const [node, after] of this.after) self[node] += (this.before.get(node) ?? 0) - after;
    const total = new Float64Array(self);
    for (let node = tree.size - 1; node > 0; node--) total[tree.parent[node]] += total[node];
    return { ...profile, baseline: { self, total, lines: this.differentialLines } };
  }
}
