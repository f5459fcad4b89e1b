/**
 * Reads the spool the in-process recorder writes (recorder/pyflame_recorder.py; docs/formats.md,
 * "pyflame spool") and turns it into lines of pyflame's text format, chunk by chunk.
 *
 * A spool is one text header line (padded to a multiple of 8 bytes), then chunks, each
 * [kind, byte length] as two little-endian 64-bit words and then its bytes:
 *   1 definitions: text lines `C idx file name firstline`, `L idx [(start, end, line), ...]`,
 *     `S idx text` (module names, audit events, thread names);
 *   2 events: 64-bit words, a record per event whose second word, the tag, says its kind (low 4
 *     bits) and the definition it uses (the rest), and so its length;
 *   3 end: `words=N end=how`, the number of event words written; absent when the recorder was
 *     killed before it could end the spool.
 * Names are kept as bytes (latin1 strings here, bytes again on output): a file name that is not
 * UTF-8 comes out as the recorder found it.
 */

import { headerFields } from '../header-fields.js';
import { TextOut } from './text-out.js';

export const SPOOL_MAGIC = '# pyflame-spool v';
const SPOOL_VERSION = '1';

/** Event kinds of the tag's low 4 bits (the recorder's numbering). */
enum Kind {
  Entry = 0,
  Return = 1,
  GcStart = 2,
  GcDone = 3,
  ImportStart = 4,
  ImportDone = 5,
  Audit = 6,
  Thread = 7,
  Line = 8,
  /**
   * Not an event: `[thread ident, count << 4 | 9]` before an event of that thread, the recorder's
   * calls on that thread since its previous event that wrote nothing (3.8-3.11: setprofile's C
   * calls and returns). Written as that event's `u=N` field (docs/formats.md). Spools written
   * before it existed have none and decode as before.
   */
  Unwritten = 9,
}

/** Words per record, by kind. */
const RECORD_WORDS = [3, 4, 4, 4, 3, 4, 3, 4, 4, 2];

enum Chunk {
  Definitions = 1,
  Events = 2,
  End = 3,
}

/** Larger chunks than the recorder ever writes are damage, not a reason to buffer gigabytes. */
const MAX_CHUNK_BYTES = 256 << 20;
const MAX_HEADER_BYTES = 64 << 10;
const TWO_32 = 4294967296;
/** Words whose high half is at most this are exact as doubles (below 2^53). */
const EXACT_HIGH = 0x1fffff;

interface CodeText {
  readonly entry: Buffer;
  readonly returnPrefix: Buffer;
  readonly linePrefix: Buffer;
  readonly firstLine: string;
  /**
   * [start, end, line] offset ranges (3.12+), not empty, by start (as co_lines() gives them): the
   * line of a return at an offset, found by binary search (no cache: a hostile spool of distinct
   * offsets cannot grow memory).
   */
  ranges?: readonly (readonly [number, number, string])[];
}

/** What the decoder found wrong; each becomes a counted warning where the text is read. */
export interface SpoolDamage {
  /** Warning code: spool-cut, spool-no-end, spool-unnamed-thread or spool-damaged. */
  readonly code: string;
  readonly what: string;
  readonly count: number;
}

export interface SpoolEnd {
  /** The end chunk was there and its word count matched. */
  readonly complete: boolean;
  readonly events: number;
  /**
   * How the recorder ended the spool (the end chunk's `end=`: exit, sigterm...); `damaged` when
   * a broken chunk header stopped the reading or the end chunk is not one; absent when the spool
   * has no end chunk (so that a label can say reason=damaged or reason=no-end-chunk).
   */
  readonly how?: string;
  readonly damage: readonly SpoolDamage[];
}

/** Decoded lines and their timestamps (for merging several spools by time). */
export interface DecodedLines {
  readonly lines: string[];
  readonly times: number[];
}

export class SpoolDecoder {
  /** `key=value` fields of the header. */
  readonly header = new Map<string, string>();
  private headerDone = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly codes = new Map<number, CodeText>();
  private readonly strings = new Map<number, string>();
  /** Thread ident -> `\tpid\ttid`. */
  private readonly threads = new Map<number, Buffer>();
  private pidText = '0';
  private byOffset = false;
  private words = 0;
  private events = 0;
  /** The end chunk's text. */
  private ended: string | undefined;
  /** A broken chunk header stopped the reading: nothing after it is trusted. */
  private broken = false;
  private trailing = false;
  private readonly damage = new Map<string, { code: string; count: number }>();
  /** Thread ident -> unwritten firings waiting for that thread's next event (its u=N). */
  private readonly unwritten = new Map<number, number>();
  private readonly out: TextOut;

  /**
   * `lines`: the decoded text is taken as lines with their times (take(), for merging several
   * spools); otherwise as bytes only (takeText(), faster).
   */
  constructor(
    readonly name: string,
    { lines = true }: { lines?: boolean } = {},
  ) {
    this.out = new TextOut(lines);
  }

  /** Whether the header line was read (a header may have no fields). */
  get headerRead(): boolean {
    return this.headerDone;
  }

  /** Feeds the next bytes of the spool; decoded lines wait in take(). */
  push(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (!this.headerDone && !this.readHeader()) return;
    for (;;) {
      if (this.ended !== undefined || this.broken) {
        // Counted once, however many pieces the bytes come in; after a broken chunk header they
        // are dropped silently (the damage was counted).
        if (this.pendingBytes > 0 && !this.broken && !this.trailing) {
          this.trailing = true;
          this.hurt('bytes after the end chunk, ignored');
        }
        this.drop(this.pendingBytes);
        return;
      }
      if (this.pendingBytes < 16) return;
      const head = this.peek(16);
      const kind = wordAt(head, 0);
      const size = wordAt(head, 8);
      if (!(kind >= Chunk.Definitions && kind <= Chunk.End) || !(size >= 0 && size <= MAX_CHUNK_BYTES) || size % 8) {
        // Nothing after a broken chunk header can be trusted to be aligned: the rest is dropped.
        this.hurt('a chunk header that is not one (the spool is damaged from there on); the rest was dropped');
        this.drop(this.pendingBytes);
        this.broken = true;
        return;
      }
      if (this.pendingBytes < 16 + size) return;
      this.drop(16);
      const body = this.peek(size);
      this.drop(size);
      if (kind === Chunk.Definitions) this.define(body.toString('latin1'));
      else if (kind === Chunk.Events) this.decodeEvents(body);
      else this.end(body.toString('latin1'));
    }
  }

  /** The lines decoded so far, each a latin1 string, and their times (emptied). */
  take(): DecodedLines {
    return this.out.takeLines();
  }

  /** The text decoded so far, as bytes (emptied): what a reader of the whole spool needs. */
  takeText(): Buffer {
    return this.out.takeBytes();
  }

  /** After the last bytes: whether the spool was complete, and what was wrong with it. */
  finish(): SpoolEnd {
    if (!this.headerDone) this.hurt('no spool header: the file is empty or cut in its first line');
    else if (this.ended === undefined && !this.broken) {
      if (this.pendingBytes > 0) {
        this.hurt(
          'the last chunk is cut short (the recorder was killed while writing it); its events were dropped',
          'spool-cut',
        );
        this.drop(this.pendingBytes);
      }
      this.hurt(
        'no end chunk: the recorder was killed before it could end the spool (its last buffer is lost)',
        'spool-no-end',
      );
    }
    const match = /^words=(\d+) end=(\S+)/.exec(this.ended ?? '');
    const complete =
      match !== null &&
      Number(match[1]) === this.words &&
      [...this.damage.values()].every((damage) => damage.code === 'spool-unnamed-thread');
    if (this.ended !== undefined && match === null) this.hurt('an end chunk that is not one');
    if (match !== null && Number(match[1]) !== this.words)
      this.hurt(`the end chunk counts ${match[1]} event words, the spool has ${this.words}`);
    return {
      complete,
      events: this.events,
      how: match?.[2] ?? (this.broken || this.ended !== undefined ? 'damaged' : undefined),
      damage: [...this.damage].map(([what, { code, count }]) => ({ code, what, count })),
    };
  }

  /** The `# pyflame-trace` header line the text format starts with. */
  traceHeader(): string {
    const fields = [...this.header].filter(([key]) => !['returns', 'ppid', 'follow-children'].includes(key));
    return `# pyflame-trace v1${fields.map(([key, value]) => ` ${key}=${value}`).join('')}`;
  }

  private hurt(what: string, code = 'spool-damaged'): void {
    const known = this.damage.get(what);
    if (known !== undefined) known.count++;
    else this.damage.set(what, { code, count: 1 });
  }

  private peek(size: number): Buffer {
    if (this.pending[0]!.length < size) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0]!.subarray(0, size);
  }

  private drop(size: number): void {
    this.pendingBytes -= size;
    while (size > 0) {
      const first = this.pending[0]!;
      if (first.length <= size) {
        size -= first.length;
        this.pending.shift();
      } else {
        this.pending[0] = first.subarray(size);
        size = 0;
      }
    }
  }

  private readHeader(): boolean {
    const all = this.peek(Math.min(this.pendingBytes, MAX_HEADER_BYTES));
    const newline = all.indexOf(10);
    if (newline < 0) {
      if (this.pendingBytes >= MAX_HEADER_BYTES)
        throw new SpoolError(this.name, 'its first line is not a spool header');
      return false;
    }
    const line = all.toString('latin1', 0, newline).trimEnd();
    if (!line.startsWith(SPOOL_MAGIC)) throw new SpoolError(this.name, 'its first line is not a spool header');
    // Another version's chunks would decode as damage, or worse as wrong events: refused.
    const version = /^\S+ \S+ v(\d+)(?:\s|$)/.exec(line)?.[1];
    if (version !== SPOOL_VERSION)
      throw new SpoolError(
        this.name,
        version === undefined
          ? 'its header line has no version number'
          : `it is spool version ${version}; this pyflame reads version ${SPOOL_VERSION}`,
      );
    for (const [key, value] of headerFields(line)) this.header.set(key, value);
    this.pidText = this.header.get('pid') ?? '0';
    this.byOffset = this.header.get('returns') === 'offset';
    this.drop(newline + 1);
    this.headerDone = true;
    return true;
  }

  private define(text: string): void {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const first = line.indexOf('\t');
      const second = line.indexOf('\t', first + 1);
      const index = Number(line.slice(first + 1, second));
      const rest = line.slice(second + 1);
      if (first !== 1 || second < 0 || !Number.isInteger(index)) {
        this.hurt('a definition line that is not one, ignored');
        continue;
      }
      if (line[0] === 'S') this.strings.set(index, rest);
      else if (line[0] === 'C') this.defineCode(index, rest);
      else if (line[0] === 'L') this.defineLines(index, rest);
      else this.hurt('a definition line that is not one, ignored');
    }
  }

  /** `file \t name \t firstline`: the file may hold tabs, the name may not. */
  private defineCode(index: number, rest: string): void {
    const lineTab = rest.lastIndexOf('\t');
    const nameTab = rest.lastIndexOf('\t', lineTab - 1);
    if (nameTab < 0) return this.hurt('a definition line that is not one, ignored');
    const where = rest.slice(0, lineTab);
    const firstLine = rest.slice(lineTab + 1);
    this.codes.set(index, {
      entry: Buffer.from(`\tfunction__entry\t${where}\t${firstLine}\n`, 'latin1'),
      returnPrefix: Buffer.from(`\tfunction__return\t${where}\t`, 'latin1'),
      linePrefix: Buffer.from(`\tline\t${where}\t`, 'latin1'),
      firstLine,
    });
  }

  private defineLines(index: number, rest: string): void {
    const code = this.codes.get(index);
    if (code === undefined) return this.hurt('a line table of an unknown code object, ignored');
    code.ranges = [...rest.matchAll(/\((\d+), (\d+), (-?\d+|None)\)/g)]
      .map((m) => [Number(m[1]), Number(m[2]), m[3] === 'None' ? code.firstLine : m[3]!] as const)
      .filter(([start, end]) => start < end)
      .sort((a, b) => a[0] - b[0]);
  }

  /** The line of a return at `offset` (3.12+), from the code's line table. */
  private returnLine(code: CodeText, offset: number): string {
    const ranges = code.ranges;
    if (ranges === undefined) return code.firstLine;
    // The last range starting at or before the offset.
    let low = 0;
    let high = ranges.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (ranges[middle]![0] <= offset) low = middle + 1;
      else high = middle;
    }
    const range = ranges[low - 1];
    return range !== undefined && offset < range[1] ? range[2] : code.firstLine;
  }

  private ids(ident: number): Buffer {
    let ids = this.threads.get(ident);
    if (ids === undefined) {
      // A thread the recorder never named (started outside threading): its id stands in for the tid.
      this.hurt(
        'events of a thread the recorder could not name (not started by threading): its tid is shown as its Python ident',
        'spool-unnamed-thread',
      );
      ids = Buffer.from(`\t${this.pidText}\t${ident}`, 'latin1');
      this.threads.set(ident, ids);
    }
    return ids;
  }

  private decodeEvents(bytes: Buffer): void {
    const count = bytes.length / 8;
    this.words += count;
    const out = this.out;
    // The chunk's words as 32-bit halves (a copy: the bytes need not be aligned).
    const body = new Int32Array(count * 2);
    new Uint8Array(body.buffer).set(bytes);
    let i = 0;
    while (i < count) {
      // A lone last word has no tag to read: -1 is no kind.
      const tag = i + 1 < count ? wordOf(body, i + 1) : -1;
      const kind = tag % 16;
      const size = RECORD_WORDS[kind];
      if (size === undefined || !(tag >= 0) || i + size > count) {
        this.hurt('event words that are no event (the rest of their chunk was dropped)');
        return;
      }
      const at = i;
      i += size;
      const index = (tag - kind) / 16;
      if (kind === Kind.Unwritten) {
        const ident = wordOf(body, at);
        this.unwritten.set(ident, (this.unwritten.get(ident) ?? 0) + index);
        continue;
      }
      // What the event needs, checked before anything of its line is written.
      const code =
        kind === Kind.Entry || kind === Kind.Return || kind === Kind.Line ? this.codes.get(index) : undefined;
      const name = kind >= Kind.ImportStart && kind <= Kind.Thread ? this.strings.get(index) : undefined;
      if (code === undefined && (kind === Kind.Entry || kind === Kind.Return || kind === Kind.Line)) {
        this.hurt('events of a code object never defined, dropped');
        continue;
      }
      if (name === undefined && kind >= Kind.ImportStart && kind <= Kind.Thread) {
        this.hurt('events naming a string never defined, dropped');
        continue;
      }
      const ident = wordOf(body, at + 2);
      const arg = size === 4 ? wordOf(body, at + 3) : 0;
      if (kind === Kind.Thread) this.threads.set(ident, Buffer.from(`\t${this.pidText}\t${arg}`, 'latin1'));
      // The time: exact as a double below 2^53, else through BigInt.
      const high = body[2 * at + 1]!;
      const time = high * TWO_32 + (body[2 * at]! >>> 0);
      if (high >= 0 && high <= EXACT_HIGH) out.integer(time);
      else out.text(bytes.readBigInt64LE(at * 8).toString());
      out.bytes(this.ids(ident));
      switch (kind) {
        case Kind.Entry:
          out.bytes(code!.entry);
          break;
        case Kind.Return:
          out.bytes(code!.returnPrefix);
          // 3.12+: an instruction offset, or -1 - line where the recorder read the line itself
          // (an unwind, whose offset may have no line).
          if (!this.byOffset) out.integer(arg);
          else if (arg < 0) out.integer(-1 - arg);
          else out.text(this.returnLine(code!, arg));
          out.byte(10);
          break;
        case Kind.Line:
          out.bytes(code!.linePrefix);
          out.integer(arg);
          out.byte(10);
          break;
        case Kind.GcStart:
        case Kind.GcDone:
          out.text(kind === Kind.GcStart ? '\tgc__start\t' : '\tgc__done\t');
          out.integer(arg);
          out.byte(10);
          break;
        case Kind.Thread:
          out.text(`\tthread-name\t${name}\n`);
          break;
        case Kind.ImportStart:
          out.text(`\timport__find__load__start\t${name}\n`);
          break;
        case Kind.ImportDone:
          out.text(`\timport__find__load__done\t${name}\t`);
          out.integer(arg);
          out.byte(10);
          break;
        default:
          out.text(`\taudit\t${name}\n`);
      }
      if (this.unwritten.size > 0) {
        const count = this.unwritten.get(ident);
        if (count !== undefined) {
          // The line's last field: `u=N` after a tab (design B of issue 13).
          this.unwritten.delete(ident);
          out.unwriteByte();
          out.text('\tu=');
          out.integer(count);
          out.byte(10);
        }
      }
      out.endLine(time);
      this.events++;
    }
  }

  private end(text: string): void {
    this.ended = text.trim();
  }
}

/** The input is not a spool at all (its header is wrong): a usage error, not damage. */
export class SpoolError extends Error {
  constructor(
    readonly file: string,
    readonly why: string,
  ) {
    super(`${file}: ${why}`);
  }
}

/** A little-endian signed 64-bit word as a number (exact below 2^53). */
/** Word `index` of a chunk's 32-bit halves (little-endian), as a number (exact below 2^53). */
function wordOf(halves: Int32Array, index: number): number {
  return halves[2 * index + 1]! * TWO_32 + (halves[2 * index]! >>> 0);
}

function wordAt(bytes: Buffer, offset: number): number {
  return bytes.readInt32LE(offset + 4) * TWO_32 + bytes.readUInt32LE(offset);
}
