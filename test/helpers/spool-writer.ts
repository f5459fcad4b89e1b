/**
 * Writes spools as the in-process recorder does (recorder/pyflame_recorder.py, class Spool; the
 * format is in src/parse/spool/spool-decoder.ts's header comment), for tests that need spools the
 * recorder would not write: damaged, huge timestamps, names of every kind.
 */

export const CHUNK_DEFINITIONS = 1;
export const CHUNK_EVENTS = 2;
export const CHUNK_END = 3;

/** Event kinds (the tag's low 4 bits). */
export const ENTRY = 0;
export const RETURN = 1;
export const GC_START = 2;
export const GC_DONE = 3;
export const IMPORT_START = 4;
export const IMPORT_DONE = 5;
export const AUDIT = 6;
export const THREAD = 7;
export const LINE = 8;

export type Word = number | bigint;

export function tag(definition: number, kind: number): bigint {
  return (BigInt(definition) << 4n) | BigInt(kind);
}

export class SpoolWriter {
  private readonly parts: Buffer[] = [];
  private length = 0;
  /** Where each chunk starts (its 16-byte header), in bytes from the file's start. */
  readonly chunkStarts: number[] = [];
  /** Event words written so far (what a true end chunk counts). */
  words = 0;

  constructor(fields: { pid?: number; ppid?: number; returns?: 'offset' | 'line'; python?: string } = {}) {
    const header = Buffer.from(
      `# pyflame-spool v1 clock=monotonic_ns recorder=inprocess python=${fields.python ?? '/usr/bin/python3'} version=3.12.1 pid=${fields.pid ?? 100} ppid=${fields.ppid ?? 1} returns=${fields.returns ?? 'offset'}`,
      'latin1',
    );
    // Padded with spaces so the chunks start at a multiple of 8 bytes.
    this.raw(Buffer.concat([header, Buffer.alloc((8 - ((header.length + 1) % 8)) % 8, ' '), Buffer.from('\n')]));
  }

  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    this.length += bytes.length;
    return this;
  }

  chunk(kind: Word, body: Buffer, declaredBytes: Word = body.length): this {
    this.chunkStarts.push(this.length);
    const head = Buffer.alloc(16);
    head.writeBigInt64LE(BigInt(kind), 0);
    head.writeBigInt64LE(BigInt(declaredBytes), 8);
    return this.raw(Buffer.concat([head, body]));
  }

  /** A definitions chunk: `C idx file name firstline`, `L idx [...]`, `S idx text` lines (bytes). */
  define(text: string | Buffer): this {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    return this.chunk(CHUNK_DEFINITIONS, Buffer.concat([bytes, Buffer.alloc((8 - (bytes.length % 8)) % 8, '\n')]));
  }

  events(...records: readonly (readonly Word[])[]): this {
    const words = records.flat();
    const body = Buffer.alloc(words.length * 8);
    words.forEach((word, i) => body.writeBigInt64LE(BigInt(word), i * 8));
    this.words += words.length;
    return this.chunk(CHUNK_EVENTS, body);
  }

  end(how = 'exit', words: number = this.words): this {
    const text = Buffer.from(`words=${words} end=${how}\n`, 'latin1');
    return this.chunk(CHUNK_END, Buffer.concat([text, Buffer.alloc((8 - (text.length % 8)) % 8, '\n')]));
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A small spool of one thread: main named, `f` (code 1) called twice, `g` (code 2) once inside. */
export function smallSpool(options: { end?: boolean } = {}): SpoolWriter {
  const writer = new SpoolWriter({ returns: 'line' })
    .define('S\t1\tMainThread\nC\t1\t/app/main.py\tf\t3\nC\t2\t/app/main.py\tg\t9\n')
    .events([1000, tag(1, THREAD), 7, 100], [1100, tag(1, ENTRY), 7], [1200, tag(2, ENTRY), 7])
    .events([1300, tag(2, RETURN), 7, 10], [1400, tag(1, RETURN), 7, 4])
    .events([1500, tag(1, ENTRY), 7], [1600, tag(1, RETURN), 7, 5]);
  return options.end === false ? writer : writer.end();
}
