import type { WeightedTree } from '../export/svg/flame-tree.js';
import { Diagnostics, TraceInputError, type Warning } from '../model/diagnostics.js';
import { ByteKeyTable } from '../parse/byte-key-table.js';
import { openInput } from '../parse/input-source.js';
import { LineSplitter } from '../parse/line-splitter.js';
import { parseCount } from './count.js';
import { FoldedTreeBuilder } from './folded-tree.js';

/** Stacks from a folded file (Brendan Gregg's format), merged into a tree. */
export interface FoldedProfile {
  /** The name used in messages: the path, or `<stdin>`. */
  readonly source: string;
  /** The merged stacks; `frame` indexes `labels`. */
  readonly tree: WeightedTree;
  /** Each distinct frame label, as written (invalid UTF-8 as U+FFFD). */
  readonly labels: readonly string[];
  /** Lines read (blank ones included). */
  readonly lines: number;
  /** Lines that gave a stack. */
  readonly stackLines: number;
  /** Distinct stacks (after duplicates were added up). */
  readonly stacks: number;
  /** The sum of the counts: the root's weight. */
  readonly total: number;
  readonly gzip: boolean;
  /** Damaged lines, skipped and counted. */
  readonly warnings: Warning[];
}

export interface ReadFoldedOptions {
  /** Read for `-` (default process.stdin). */
  readonly stdin?: NodeJS.ReadableStream;
  /** Read size (tests use tiny ones to cut lines across chunks). */
  readonly chunkBytes?: number;
}

/** After this many damaged lines and none valid, the input is not folded stacks: stop reading. */
const SNIFF_LINES = 1000;
/** The most tree nodes room is made for before reading (~100 MB of table and columns). */
const MAX_PRESIZED_NODES = 4_000_000;
const EXPECTED = 'expected folded stacks, one "frame;frame;...;frame COUNT" per line (frames separated by ";", then whitespace and a number)';

const SEMICOLON = 59;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const isBlank = (byte: number) => byte === SPACE || byte === TAB || byte === CR;

/** What is wrong with a damaged line (the warning adds "line skipped"). */
const DAMAGE = {
  'missing-count': 'no count at the end (whitespace, then a number)',
  'bad-count': 'a count that is negative or not a finite number',
  'empty-frame': 'an empty frame (";;", or ";" at the start or end of the stack)',
  'control-character': 'a control character (tab, NUL, ESC, ...) inside the stack',
} as const;
type Damage = keyof typeof DAMAGE;

/**
 * Reads folded stacks: `frame;frame;...;frame COUNT` per line, the count (an integer or a decimal
 * such as `1.5`, `2e3`) separated from the stack by the last run of spaces or tabs, so frames may
 * hold spaces. Plain or gzip (by magic bytes), `-` for stdin; CR LF and blank lines are fine;
 * duplicate stacks add up. The file is streamed: frames are interned from the bytes (no string per
 * frame per line) and stacks merged into a prefix tree as they come, so memory grows with the
 * distinct frames and paths only. Damaged lines are skipped and counted as warnings; input with no
 * valid line at all is a TraceInputError naming the file, the first bad line and what was expected.
 */
export async function readFolded(path: string, options: ReadFoldedOptions = {}): Promise<FoldedProfile> {
  const input = await openInput(path, options.stdin, options.chunkBytes);
  // Distinct paths are at most the frames read; guess from the size (a frame and its ';' take
  // ~50 bytes), capped so that a huge file of few stacks does not reserve much.
  const expectedNodes = Math.min(MAX_PRESIZED_NODES, Math.round((input.sizeBytes ?? 0) / 64));
  const reader = new FoldedReader(input.name, expectedNodes);
  const splitter = new LineSplitter(input.name, (bytes, start, end, lineNo) => reader.line(bytes, start, end, lineNo));
  for await (const chunk of input.chunks()) splitter.push(chunk);
  splitter.end();
  if (input.truncatedGzip()) reader.diagnostics.warn('truncated-gzip', 'the gzip stream ends early (the file was cut short); read what it holds', undefined);
  return reader.finish(splitter.lines, input.gzip);
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

/** The per-line work of readFolded: one instance per input. */
class FoldedReader {
  readonly diagnostics = new Diagnostics();
  private readonly frameIds = new ByteKeyTable();
  private readonly labels: string[] = [];
  /** The node where the line being read ends. */
  private leaf = 0;
  private view: DataView | undefined;
  private viewOf: Buffer | undefined;
  private stackLines = 0;
  private damaged = 0;
  private firstDamage: { line: number; damage: Damage } | undefined;
  private total = 0;

  private readonly tree: FoldedTreeBuilder;

  constructor(
    private readonly source: string,
    expectedNodes: number,
  ) {
    this.tree = new FoldedTreeBuilder(expectedNodes);
  }

  line(bytes: Buffer, start: number, lineEnd: number, lineNo: number): void {
    let end = lineEnd;
    while (end > start && isBlank(bytes[end - 1])) end--;
    if (end === start) return; // a blank line
    let countStart = end;
    while (countStart > start && !isBlank(bytes[countStart - 1])) countStart--;
    if (countStart === start) return this.damage('missing-count', lineNo);
    const count = parseCount(bytes, countStart, end);
    if (count === undefined) return this.damage('missing-count', lineNo);
    if (count < 0 || !Number.isFinite(count)) return this.damage('bad-count', lineNo);
    let stackEnd = countStart;
    while (stackEnd > start && isBlank(bytes[stackEnd - 1])) stackEnd--;
    const damage = this.walk(bytes, start, stackEnd);
    if (damage !== undefined) return this.damage(damage, lineNo);
    this.stackLines++;
    if (count > 0) {
      this.tree.addStack(this.leaf, count);
      this.total += count;
    }
  }


  /** Finds (or makes) the tree nodes of the stack bytes[start, end); the last one into this.leaf. */
  private walk(bytes: Buffer, start: number, end: number): Damage | undefined {
    if (this.viewOf !== bytes) {
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      this.viewOf = bytes;
    }
    const view = this.view!;
    const frameIds = this.frameIds;
    let node = 0;
    for (let frameStart = start; frameStart <= end; ) {
      // The frame's end: its ';' (found natively), or the end of the stack.
      let frameEnd = bytes.indexOf(SEMICOLON, frameStart);
      if (frameEnd < 0 || frameEnd > end) frameEnd = end;
      if (frameEnd === frameStart) return 'empty-frame';
      const hash = hashBytes(view, frameStart, frameEnd);
      let frame = frameIds.get(view, frameStart, frameEnd, hash);
      if (frame < 0) {
        // Checked once per distinct frame: a frame equal to a known one is clean too.
        if (hasControlCharacter(bytes, frameStart, frameEnd)) return 'control-character';
        frame = this.labels.length;
        this.labels.push(bytes.toString('utf8', frameStart, frameEnd));
        frameIds.add(bytes, frameStart, frameEnd, hash, frame);
      }
      node = this.tree.child(node, frame);
      frameStart = frameEnd + 1;
    }
    this.leaf = node;
    return undefined;
  }

  private damage(damage: Damage, lineNo: number): void {
    this.damaged++;
    this.firstDamage ??= { line: lineNo, damage };
    this.diagnostics.warn(damage, `${DAMAGE[damage]}; line skipped`, lineNo);
    if (this.stackLines === 0 && this.damaged >= SNIFF_LINES) this.notFolded();
  }

  private notFolded(): never {
    const first = this.firstDamage!;
    const stopped = this.damaged >= SNIFF_LINES ? ` (stopped after ${SNIFF_LINES} such lines)` : '';
    throw new TraceInputError(this.source, first.line, `not folded stacks, no valid line${stopped}: ${EXPECTED}; this line has ${DAMAGE[first.damage]}`);
  }

  finish(lines: number, gzip: boolean): FoldedProfile {
    if (this.stackLines === 0) {
      if (this.firstDamage === undefined) throw new TraceInputError(this.source, undefined, `no stacks (empty or blank): ${EXPECTED}`);
      this.notFolded();
    }
    const tree = this.tree.finish();
    let stacks = 0;
    for (let node = 1; node < tree.size; node++) if (tree.self[node] > 0) stacks++;
    return { source: this.source, tree, labels: this.labels, lines, stackLines: this.stackLines, stacks, total: this.total, gzip, warnings: this.diagnostics.list() };
  }
}
