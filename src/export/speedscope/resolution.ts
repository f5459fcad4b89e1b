import { Float64List } from '../../analyze/growable.js';
import { numberByteLength } from './byte-chunks.js';
import { durationWords } from './size-budget.js';

/**
 * The resolutions a too-large speedscope file is written at, in ns: calls shorter than the
 * resolution are left out of the per-thread timelines. 0 is every call (the full file); then
 * 1-2-5 steps (1 ns, 2 ns, 5 ns, 10 ns ... 500,000 s), round numbers a reader takes in at a
 * glance, each at most 2.5 times the one before, so the file chosen is not far below the budget;
 * Infinity leaves every call out (only a trace whose shared part is over budget gets there).
 */
export const RESOLUTIONS: readonly number[] = [
  0,
  ...Array.from({ length: 15 * 3 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3)),
  Number.POSITIVE_INFINITY,
];

const LAST = RESOLUTIONS.length - 1;

/** The index of the largest resolution a call of `durationNs` is kept at (it is kept at r iff duration >= r). */
export function resolutionBucket(durationNs: number): number {
  // Binary search over the ~47 steps: the largest index whose value is <= durationNs.
  if (!(durationNs >= 0)) return 0;
  let low = 0;
  let high = LAST - 1; // a finite duration never reaches Infinity
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (RESOLUTIONS[mid] <= durationNs) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** An event's bytes in the file, with its leading comma: `,{"type":"O","frame":F,"at":T}`. */
export function eventBytes(frame: number, at: number): number {
  return 28 + numberByteLength(frame) + numberByteLength(at);
}

/** What a speedscope evented profile's name says about the calls left out: ` (calls ≥ 20 µs)`. */
export function resolutionLabel(resolutionNs: number): string {
  if (resolutionNs === 0) return '';
  if (resolutionNs === Number.POSITIVE_INFINITY) return ' (no calls: file size budget)';
  return ` (calls ≥ ${durationWords(resolutionNs)})`;
}

/**
 * Sizes of the evented profiles' events at every resolution, measured call by call as the
 * timeline is read once: each call's two events go to the bucket of its duration, so the bytes
 * at resolution r are the buckets from r up. Calls that never close (or closings of nothing,
 * which a balanced timeline has none of) count as kept at every resolution, as the writer keeps them.
 */
export class EventSizes {
  private readonly bytes = new Float64Array(RESOLUTIONS.length);
  /** Threads whose longest kept call is in each bucket: a thread's first event has no comma. */
  private readonly threadsUpTo = new Float64Array(RESOLUTIONS.length);
  private readonly openAt = new Float64List(64);
  private readonly openBytes = new Float64List(64);
  private longest = -1;

  constructor(private readonly origin: number) {}

  beginThread(): void {
    this.openAt.length = 0;
    this.openBytes.length = 0;
    this.longest = -1;
  }

  open(frame: number, at: number): void {
    this.openAt.push(at);
    this.openBytes.push(eventBytes(frame, at - this.origin));
  }

  close(frame: number, at: number): void {
    const bytes = eventBytes(frame, at - this.origin);
    const depth = this.openAt.length;
    if (depth === 0) {
      this.add(LAST, bytes);
      return;
    }
    this.openAt.length = depth - 1;
    this.openBytes.length = depth - 1;
    this.add(resolutionBucket(at - this.openAt.get(depth - 1)), bytes + this.openBytes.get(depth - 1));
  }

  endThread(): void {
    for (let i = 0; i < this.openBytes.length; i++) this.add(LAST, this.openBytes.get(i));
    if (this.longest >= 0) this.threadsUpTo[this.longest]++;
  }

  /** The bytes of every thread's events at RESOLUTIONS[index] (commas included, first ones left out). */
  bytesAt(index: number): number {
    let total = 0;
    for (let b = index; b < RESOLUTIONS.length; b++) total += this.bytes[b] - this.threadsUpTo[b];
    return total;
  }

  private add(bucket: number, bytes: number): void {
    this.bytes[bucket] += bytes;
    if (bucket > this.longest) this.longest = bucket;
  }
}

/**
 * The smallest resolution whose file fits `maxBytes`: `sizeAt(index)` is the whole file's size
 * at RESOLUTIONS[index]. The last (Infinity) when none does.
 */
export function chooseResolution(maxBytes: number, sizeAt: (index: number) => number): number {
  for (let index = 0; index < LAST; index++) if (sizeAt(index) <= maxBytes) return index;
  return LAST;
}
