/** Where the pieces of a document go (an output file, or a collector in tests). */
export type Sink = (chunk: string | Uint8Array) => void | Promise<void>;

const CHUNK_BYTES = 1 << 20;
/** Room kept free at the end of a chunk: one event (prefix + two numbers) always fits. */
const SLACK = 256;

/**
 * Buffers a `reuse` writer takes turns with (1 MiB each): the next is filled while the others are
 * written; with all of them handed over, it waits for the oldest.
 */
const REUSED_CHUNKS = 4;

/**
 * Formats a large JSON document straight into byte chunks: ASCII pieces and integers written
 * digit by digit. Building millions of small strings and joining them was most of the cost of a
 * speedscope file; this writes each byte once. A chunk is handed to the sink whole. Unless the
 * sink says it is done with a chunk when its promise resolves (`reuse`), a stream may still hold
 * it, so each flush starts a fresh buffer and waits for the sink. With `reuse`, a few buffers take
 * turns (a fresh MiB per flush made the garbage collector run a full collection every ~20 MB:
 * ~100 ms of a 220 MB file), and the next chunk is filled while the ones before are written: the
 * formatting no longer waits for each write (on a slow disk or page cache most of the time). The
 * sink is then called before its earlier calls resolve and must keep their order (a stream does).
 * end() waits for every chunk in flight; a write that failed is thrown by the next flush or end.
 */
export class ByteChunks {
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private at = 0;
  /** With `reuse`: chunks handed to the sink, oldest first, each with its write's settling. */
  private readonly inFlight: { readonly buffer: Buffer; readonly settled: Promise<void> }[] = [];
  /** With `reuse`: chunks written and free to fill again (after end(), which waits for them all). */
  private readonly free: Buffer[] = [];
  /** With `reuse`: the first failure of a write in flight. */
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly sink: Sink,
    private readonly reuse = false,
  ) {}

  /** Whether the chunk is nearly full: the caller then awaits flush() (back-pressure). */
  get full(): boolean {
    return this.at > CHUNK_BYTES - SLACK;
  }

  /** One byte. */
  byte(value: number): void {
    this.chunk[this.at++] = value;
  }

  /** Copies pre-encoded ASCII bytes (at most SLACK of them). */
  bytes(bytes: Uint8Array): void {
    this.chunk.set(bytes, this.at);
    this.at += bytes.length;
  }

  /**
   * Any text (JSON, names): copied into the chunk when it fits, else written through after what
   * is buffered. Never a flush per piece: a trace of 100,000 threads writes two pieces per
   * thread, and each flush starts a fresh 1 MiB chunk.
   */
  async text(text: string): Promise<void> {
    // At most 3 bytes of UTF-8 per UTF-16 unit: a cheap bound before measuring.
    if (this.at + text.length * 3 <= CHUNK_BYTES - SLACK || this.at + Buffer.byteLength(text) <= CHUNK_BYTES - SLACK) {
      this.at += this.chunk.write(text, this.at, 'utf8');
      return;
    }
    // After every chunk before it (a reusing sink's chunks may still be in flight).
    await this.end();
    await this.sink(text);
  }

  /**
   * A number as JSON writes it. Whole numbers below 2^53 take the fast path; anything else
   * (fractions, huge values) goes through String(), which JSON.stringify also uses.
   */
  number(value: number): void {
    if (!Number.isSafeInteger(value)) {
      this.ascii(Number.isFinite(value) ? String(value) : 'null');
      return;
    }
    let v = value;
    if (v < 0) {
      this.chunk[this.at++] = 0x2d;
      v = -v;
    }
    if (v < 1e9) {
      this.digits(v, 0);
      return;
    }
    // Split so each half fits in 32 bits, where division by 10 is cheap.
    const high = Math.floor(v / 1e9);
    const low = v - high * 1e9;
    if (high < 1e9) this.digits(high, 0);
    else this.ascii(String(high));
    this.digits(low, 9);
  }

  /** Copies any number of bytes, handing each chunk to the sink as it fills. */
  async copy(bytes: Uint8Array): Promise<void> {
    let from = 0;
    while (from < bytes.length) {
      const room = CHUNK_BYTES - SLACK - this.at;
      if (room <= 0) {
        await this.flush();
        continue;
      }
      const end = Math.min(bytes.length, from + room);
      this.chunk.set(bytes.subarray(from, end), this.at);
      this.at += end - from;
      from = end;
    }
  }

  async flush(): Promise<void> {
    this.throwFailure();
    if (this.at === 0) return;
    const handed = this.chunk;
    const length = this.at;
    this.at = 0;
    if (!this.reuse) {
      this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      await this.sink(handed.subarray(0, length));
      return;
    }
    // Kept from rejecting: a failure is thrown by the next flush or end(), never left unhandled
    // when the producer stops for another reason with writes still in flight.
    let written: void | Promise<void>;
    try {
      written = this.sink(handed.subarray(0, length));
    } catch (error) {
      written = Promise.reject(error);
    }
    const settled = Promise.resolve(written).then(
      () => {},
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    this.inFlight.push({ buffer: handed, settled });
    // A free chunk, else a new one while there is room, else the oldest in flight once written.
    this.chunk =
      this.free.pop() ??
      (this.inFlight.length < REUSED_CHUNKS ? Buffer.allocUnsafe(CHUNK_BYTES) : await this.oldestWritten());
    this.throwFailure();
  }

  /** Flushes what is buffered and waits until the sink has taken every chunk (or throws its failure). */
  async end(): Promise<void> {
    await this.flush();
    while (this.inFlight.length > 0) this.free.push(await this.oldestWritten());
    this.throwFailure();
  }

  /** Waits for the oldest chunk in flight to be written; returns it, free to fill again. */
  private async oldestWritten(): Promise<Buffer> {
    const oldest = this.inFlight.shift()!;
    await oldest.settled;
    return oldest.buffer;
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  /** Writes v (< 1e9) with at least `width` digits (zero-padded), two digits per division. */
  private digits(v: number, width: number): void {
    let n = v | 0;
    let count = digitCount(n);
    if (count < width) count = width;
    const chunk = this.chunk;
    let i = this.at + count;
    this.at = i;
    while (n >= 100) {
      const q = (n / 100) | 0;
      const pair = (n - q * 100) * 2;
      chunk[--i] = DIGIT_PAIRS[pair + 1];
      chunk[--i] = DIGIT_PAIRS[pair];
      n = q;
    }
    if (n >= 10) {
      chunk[--i] = DIGIT_PAIRS[n * 2 + 1];
      chunk[--i] = DIGIT_PAIRS[n * 2];
    } else {
      chunk[--i] = 0x30 + n;
    }
    // Zero padding (the low half of a split number).
    while (i > this.at - count) chunk[--i] = 0x30;
  }

  private ascii(text: string): void {
    this.at += this.chunk.write(text, this.at, 'latin1');
  }
}

/** "00" to "99" as ASCII byte pairs. */
const DIGIT_PAIRS = Uint8Array.from(
  { length: 200 },
  (_, i) => 0x30 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10),
);

/**
 * How many bytes ByteChunks.number() writes for `value`, without writing it: what a file's size
 * is computed from before it is written (speedscope's size budget).
 */
export function numberByteLength(value: number): number {
  if (!Number.isSafeInteger(value)) return Number.isFinite(value) ? String(value).length : 4;
  const sign = value < 0 ? 1 : 0;
  const v = value < 0 ? -value : value;
  if (v < 1e9) return sign + digitCount(v);
  const high = Math.floor(v / 1e9);
  return sign + (high < 1e9 ? digitCount(high) : String(high).length) + 9;
}

function digitCount(n: number): number {
  if (n < 100000) return n < 100 ? (n < 10 ? 1 : 2) : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 10000000 ? (n < 1000000 ? 6 : 7) : n < 100000000 ? 8 : 9;
}

/** ASCII text as bytes, for the pieces written again and again. */
export function asciiBytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}
