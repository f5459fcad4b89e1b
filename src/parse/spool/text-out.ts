/**
 * The decoded text of a spool, written as bytes into one growing buffer (names as the latin1
 * strings that hold their bytes, numbers as ASCII digits), with where each event's line ends and
 * its time: no string per event, which made decoding mostly garbage collection.
 */
export class TextOut {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private length = 0;

  /** `lines`: keep where each line ends and its time (take them as lines); else bytes only. */
  constructor(private readonly lines: boolean) {}

  /** End offset of each line, and its time (for merging several spools by time). */
  ends: number[] = [];
  times: number[] = [];

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }

  /** A string whose characters are bytes (latin1). */
  text(value: string): void {
    this.room(value.length);
    this.length += this.buffer.write(value, this.length, 'latin1');
  }

  bytes(value: Buffer): void {
    this.room(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  byte(value: number): void {
    this.room(1);
    this.buffer[this.length++] = value;
  }

  /** An integer below 2^53 in size, in decimal. */
  integer(value: number): void {
    this.room(24);
    const buffer = this.buffer;
    if (value < 0) {
      buffer[this.length++] = 45; // '-'
      value = -value;
    }
    if (value < 1e8) {
      this.length = digits(buffer, this.length, value);
      return;
    }
    // Above 1e8: two parts below 1e8 (exact in doubles), the low one zero-padded to 8 digits.
    const high = Math.floor(value / 1e8);
    let low = value - high * 1e8;
    const at = high < 1e8 ? digits(buffer, this.length, high) : this.bigHigh(high);
    for (let i = at + 7; i >= at; i--) {
      const next = (low / 10) | 0;
      buffer[i] = 48 + low - next * 10;
      low = next;
    }
    this.length = at + 8;
  }

  private bigHigh(high: number): number {
    this.length += this.buffer.write(String(high), this.length, 'latin1');
    return this.length;
  }

  /** Takes back the last byte written (the newline of a line that gets another field). */
  unwriteByte(): void {
    if (this.length > 0) this.length--;
  }

  /** Ends the current line: its time, for merging. */
  endLine(time: number): void {
    if (!this.lines) return;
    this.ends.push(this.length);
    this.times.push(time);
  }

  /** The text written so far (a copy), emptied. */
  takeBytes(): Buffer {
    const taken = Buffer.from(this.buffer.subarray(0, this.length));
    this.reset();
    return taken;
  }

  /** Each line as a latin1 string, and its time; emptied. */
  takeLines(): { lines: string[]; times: number[] } {
    const lines: string[] = [];
    let start = 0;
    for (const end of this.ends) {
      lines.push(this.buffer.toString('latin1', start, end));
      start = end;
    }
    const times = this.times;
    this.reset();
    return { lines, times };
  }

  private reset(): void {
    this.length = 0;
    this.ends = [];
    this.times = [];
  }
}

/** Writes 0 <= value < 1e8 (a whole number) at `at`; returns the offset after it. */
function digits(buffer: Buffer, at: number, value: number): number {
  let size = 1;
  for (let limit = 10; limit <= value; limit *= 10) size++;
  let i = at + size;
  do {
    const next = (value / 10) | 0;
    buffer[--i] = 48 + value - next * 10;
    value = next;
  } while (value > 0);
  return at + size;
}
