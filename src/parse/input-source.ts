import { describeFsError } from '../io/fs-errors.js';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { TraceInputError } from '../model/diagnostics.js';
import { isGzip } from '../text/sniff.js';
import type { SpoolDamage, SpoolEnd } from './spool/spool-decoder.js';
import { isSpool, spoolAsText } from './spool/spool-text.js';

/** Read size: large enough that per-chunk work vanishes, small enough to keep memory flat. */
export const CHUNK_BYTES = 4 << 20;

/** An opened input: its bytes (decompressed), how big it is on disk, and whether it was gzip. */
export interface InputSource {
  /** The name used in messages: the path, or `<stdin>`. */
  readonly name: string;
  readonly gzip: boolean;
  /** Size on disk when known (for progress). */
  readonly sizeBytes: number | undefined;
  /** Raw bytes read so far (compressed bytes for gzip input). */
  rawBytesRead(): number;
  /** True once a gzip stream has ended before its end marker (the file was cut short). */
  truncatedGzip(): boolean;
  /** For a spool of the in-process recorder (read as text): what was wrong with it, once read. */
  spoolDamage(): readonly SpoolDamage[];
  chunks(): AsyncIterable<Buffer>;
}

/** Opens a path or `-` (stdin), recognizing gzip by its magic bytes rather than the file name. */
export async function openInput(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
  chunkBytes = CHUNK_BYTES,
): Promise<InputSource> {
  const name = path === '-' ? '<stdin>' : path;
  let sizeBytes: number | undefined;
  let raw: AsyncIterable<Buffer>;
  if (path === '-') {
    raw = stdin as AsyncIterable<Buffer>;
  } else {
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw new TraceInputError(name, undefined, 'is a directory, not a trace file');
      sizeBytes = info.size;
    } catch (error) {
      if (error instanceof TraceInputError) throw error;
      throw new TraceInputError(name, undefined, `cannot read: ${describeFsError(error)}`);
    }
    raw = createReadStream(path, { highWaterMark: chunkBytes });
  }
  let bytesRead = 0;
  const counted = countBytes(raw, (n) => (bytesRead += n), name);
  const { first, rest } = await peekFirst(counted);
  const gzip = first !== undefined && isGzip(first);
  const replayed = replay(first, rest);
  let truncated = false;
  let spoolEnd: SpoolEnd | undefined;
  return {
    name,
    gzip,
    sizeBytes,
    rawBytesRead: () => bytesRead,
    truncatedGzip: () => truncated,
    spoolDamage: () => spoolEnd?.damage ?? [],
    chunks: () =>
      decodeIfSpool(
        gzip ? gunzip(replayed, name, () => (truncated = true)) : replayed,
        name,
        (end) => (spoolEnd = end),
      ),
  };
}

/** The in-process recorder's spool, recognized by its first line, becomes the text format. */
async function* decodeIfSpool(
  source: AsyncIterable<Buffer>,
  name: string,
  onEnd: (end: SpoolEnd) => void,
): AsyncGenerator<Buffer> {
  const { first, rest } = await peekFirst(source[Symbol.asyncIterator]() as AsyncGenerator<Buffer>, 32);
  const replayed = replay(first, rest);
  if (first !== undefined && isSpool(first)) yield* spoolAsText(replayed, name, onEnd);
  else yield* replayed;
}

async function* countBytes(
  source: AsyncIterable<Buffer | string>,
  add: (n: number) => void,
  name: string,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      add(buffer.length);
      yield buffer;
    }
  } catch (error) {
    throw new TraceInputError(name, undefined, `cannot read: ${describeFsError(error)}`);
  }
}

/** The first bytes of the input (at least `least`, unless it is shorter). */
async function peekFirst(
  source: AsyncGenerator<Buffer>,
  least = 2,
): Promise<{ first: Buffer | undefined; rest: AsyncGenerator<Buffer> }> {
  const pieces: Buffer[] = [];
  let length = 0;
  while (length < least) {
    const step = await source.next();
    if (step.done) break;
    pieces.push(step.value);
    length += step.value.length;
  }
  return { first: pieces.length === 0 ? undefined : Buffer.concat(pieces), rest: source };
}

async function* replay(first: Buffer | undefined, rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  if (first !== undefined) yield first;
  yield* rest;
}

async function* gunzip(source: AsyncIterable<Buffer>, name: string, onTruncated: () => void): AsyncGenerator<Buffer> {
  const inflate = createGunzip({ chunkSize: 256 * 1024 });
  const stream = Readable.from(source).pipe(inflate);
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof TraceInputError) throw error;
    // A gzip file cut short: keep what was inflated, the reader warns about the cut.
    if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
      onTruncated();
      return;
    }
    throw new TraceInputError(name, undefined, `corrupt gzip data: ${(error as Error).message}`);
  }
}
