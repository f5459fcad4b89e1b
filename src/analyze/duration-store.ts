import { SpillFile } from '../io/spill-file.js';
import { Float64List } from './growable.js';

const DURATION_BYTES = 8;
/** Lists with fewer durations than this stay in memory when the others are spilled (see flush). */
const SMALLEST_CHUNK = 64;

/**
 * One accumulator's call durations, in the order they were recorded: in memory, or (once the
 * analysis's durations outgrew their budget) in chunks of a spill file followed by the ones
 * recorded since. Holds no reference to its store: a trace can have millions of accumulators.
 */
export class DurationList {
  /** Durations not (yet) spilled. */
  memory = new Float64List(4);
  /** Spilled chunks, in order: byte offsets in the store's file, and their lengths (durations). */
  offsets: number[] | undefined;
  counts: number[] | undefined;
  /** Durations in all, spilled or not. */
  length = 0;
}

/**
 * Where the analysis keeps every complete call's duration (for exact percentiles): in memory up
 * to `budgetBytes` (8 bytes a duration, and as much again of room to grow), past that in a temporary file (spill-file.ts), so
 * memory stays flat however long the trace. A trace that fits never touches the disk and is
 * summarized exactly as before; one that does not is summarized from the file with the same
 * results (spilled-summary.ts).
 */
export class DurationStore {
  private readonly budget: number;
  private inMemory = 0;
  /**
   * Durations in memory at which the next flush comes: the budget, or, when small lists alone
   * stay over it, half a budget later (so that a flush that can free nothing is not tried again
   * at every duration).
   */
  private flushAt: number;
  /** Lists with durations in memory, for a flush to find. */
  private readonly holding = new Set<DurationList>();
  private file: SpillFile | undefined;

  constructor(budgetBytes: number) {
    // 16 bytes a duration, not 8: a list doubles as it grows, so it may take twice what it holds.
    this.budget = Math.max(1, Math.floor(budgetBytes / (2 * DURATION_BYTES)));
    this.flushAt = this.budget;
  }

  /** Has anything gone to the file? (Then every list is read through chunks(), not its memory.) */
  get spilled(): boolean {
    return this.file !== undefined;
  }

  /** Durations the budget holds in memory at once (the spilled summary's working set too). */
  get budgetCount(): number {
    return this.budget;
  }

  push(list: DurationList, durationNs: number): void {
    const memory = list.memory;
    if (memory.length === 0) this.holding.add(list);
    memory.push(durationNs);
    list.length++;
    if (++this.inMemory > this.flushAt) {
      this.flush();
      this.flushAt = Math.max(this.budget, this.inMemory + Math.ceil(this.budget / 2));
    }
  }

  /** `from`'s durations recorded after `into`'s (a provisional function that turned out to be another). */
  append(into: DurationList, from: DurationList): void {
    if (this.file === undefined) {
      for (const duration of from.memory.view()) this.push(into, duration);
      return;
    }
    this.spill(into);
    this.spill(from);
    if (from.offsets !== undefined) {
      into.offsets ??= [];
      into.counts ??= [];
      into.offsets.push(...from.offsets);
      into.counts.push(...from.counts!);
    }
    into.length += from.length;
  }

  /**
   * Calls `visit` with `list`'s durations in recorded order, a piece at a time (each piece is
   * valid only during the call; at most `budgetCount` durations at once).
   */
  read(list: DurationList, visit: (durations: Float64Array) => void): void {
    if (list.offsets !== undefined) {
      const most = Math.min(this.budget, 1 << 20);
      const buffer = new Float64Array(Math.min(most, maxOf(list.counts!)));
      for (let c = 0; c < list.offsets.length; c++) {
        const count = list.counts![c];
        for (let done = 0; done < count; done += most) {
          const piece = buffer.subarray(0, Math.min(most, count - done));
          this.file!.read(new Uint8Array(piece.buffer, 0, piece.byteLength), list.offsets[c] + done * 8);
          visit(piece);
        }
      }
    }
    if (list.memory.length > 0) visit(list.memory.view());
  }

  /**
   * The file's last chunks: a spilling store's lists of some length leave memory before the
   * summaries need room (read() takes a list's chunks, then what it still holds in memory). Small
   * lists stay: with a million accumulators, a write each would cost far more than it frees.
   */
  finish(): void {
    if (this.file === undefined) return;
    for (const list of [...this.holding]) if (list.memory.length >= SMALLEST_CHUNK) this.spill(list);
  }

  /** Gives the file back (the analysis is summarized: the durations are no longer needed). */
  close(): void {
    this.file?.close();
  }

  /**
   * Writes the lists holding the most to the file, each as one chunk, until at most half the
   * budget stays in memory. Small lists stay, even over the budget: a chunk's bookkeeping (a
   * write, two entries) costs more than a few durations, and spilling a million tiny lists again
   * at every flush made a trace of 100,000 threads thirty times slower and three times larger in
   * memory than keeping them (the review of issue 16).
   */
  private flush(): void {
    const lists = [...this.holding].sort((a, b) => b.memory.length - a.memory.length);
    for (const list of lists) {
      if (this.inMemory <= this.budget / 2 || list.memory.length < SMALLEST_CHUNK) break;
      this.spill(list);
    }
  }

  /** Moves `list`'s durations in memory to the end of the file, as one chunk. */
  private spill(list: DurationList): void {
    const memory = list.memory.view();
    if (memory.length === 0) return;
    this.file ??= new SpillFile();
    const offset = this.file.append(new Uint8Array(memory.buffer, memory.byteOffset, memory.byteLength));
    (list.offsets ??= []).push(offset);
    (list.counts ??= []).push(memory.length);
    this.inMemory -= memory.length;
    // A fresh small list: the old one's capacity would otherwise stay taken.
    list.memory = new Float64List(4);
    this.holding.delete(list);
  }
}

function maxOf(values: readonly number[]): number {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  return max;
}
