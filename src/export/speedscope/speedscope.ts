import type { Analysis } from '../../analyze/analysis.js';
import { DEEPER_FN, DEEPER_FRAMES, MAX_STACK_DEPTH, mergeStacks, preorder } from '../stack-depth.js';
import { threadLabel } from '../thread-label.js';
import { asciiBytes, ByteChunks, numberByteLength, type Sink } from './byte-chunks.js';
import { Float64List, Int32List } from '../../analyze/growable.js';
import { DEFAULT_SPEEDSCOPE_MAX_MB, type SpeedscopeWritten } from './size-budget.js';
import { chooseResolution, eventBytes, EventSizes, RESOLUTIONS, resolutionLabel } from './resolution.js';
import { forEachBoundaryChunk, threadStart, threadSummary, timelineThreadCount } from './timeline-boundaries.js';
import type { ThreadTimelineSummary, TimelineRecorder } from './timeline-recorder.js';
import { EventText } from '../event-text-wasm.js';

export type { Sink } from './byte-chunks.js';
export type { SpeedscopeWritten } from './size-budget.js';

/** Frames whose event prefixes are kept ready-made (beyond, they are formatted each time). */
const PREFIX_CACHE_FRAMES = 1 << 16;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const WEIGHTS_KEY = asciiBytes('],"weights":[');

/**
 * `{"type":"O","frame":12,"at":` and its variants (C for a closing; a leading comma after the
 * first event), made once per frame: one copy per event instead of three pieces and a number.
 */
class EventPrefixes {
  private readonly cache: (Uint8Array | undefined)[] = [];

  get(frame: number, opening: boolean, first: boolean): Uint8Array {
    const slot = frame * 4 + (opening ? 0 : 2) + (first ? 1 : 0);
    if (frame >= PREFIX_CACHE_FRAMES) return this.make(frame, opening, first);
    return (this.cache[slot] ??= this.make(frame, opening, first));
  }

  private make(frame: number, opening: boolean, first: boolean): Uint8Array {
    return asciiBytes(`${first ? '' : ','}{"type":"${opening ? 'O' : 'C'}","frame":${frame},"at":`);
  }
}

/** The largest speedscope file written unless asked otherwise. */
export const DEFAULT_SPEEDSCOPE_MAX_BYTES = DEFAULT_SPEEDSCOPE_MAX_MB * 1024 * 1024;

export interface SpeedscopeOptions {
  /**
   * The largest file to write, in bytes (default DEFAULT_SPEEDSCOPE_MAX_BYTES). A file with every
   * call that would be larger is written at a resolution instead: see writeSpeedscope.
   * Infinity: every call, whatever the size.
   */
  readonly maxBytes?: number;
  /**
   * The sink is done with a chunk when its promise resolves (a file's write is done), so the
   * chunks are filled again rather than made anew. Not for a sink that keeps them. The sink is
   * then called again before its earlier calls resolve (up to four chunks, 4 MiB, at once: the
   * next is formatted while they are written), so it must write them in the order it was called:
   * a stream's write does; concurrent `FileHandle.write` calls do not.
   */
  readonly reuseChunks?: boolean;
}

/**
 * Writes a speedscope file (https://www.speedscope.app/file-format-schema.json): one evented
 * profile per thread, named with its pid and tid, and one sampled "all threads" profile weighted
 * by self time. Times are ns from the trace's start (never epoch-sized: speedscope would round
 * them), every profile is balanced and in time order (partial calls were closed by the analysis),
 * frames are deduplicated. Streamed in pieces: a large trace's timeline never becomes one string.
 *
 * Its size is known before it is written. When the file with every call would pass `maxBytes`
 * (DEFAULT_SPEEDSCOPE_MAX_MB says why it is there), the evented profiles leave out the calls
 * shorter than the smallest resolution (1-2-5 steps: 1 µs, 2 µs, 5 µs, 10 µs...) at which the
 * file fits: every call kept keeps its exact start and end, so a left-out call's time shows in
 * its caller; the profiles' names say the resolution (`pid P tid T (calls ≥ 20 µs)`); the sampled
 * profile stays complete. The result says what was done (speedscopeReductionWarning words it).
 */
export async function writeSpeedscope(
  analysis: Analysis,
  timeline: TimelineRecorder,
  write: Sink,
  exporter: string,
  options: SpeedscopeOptions = {},
): Promise<SpeedscopeWritten> {
  const maxBytes = options.maxBytes ?? DEFAULT_SPEEDSCOPE_MAX_BYTES;
  const functions = analysis.functionTable;
  // Frame index per function, in order of first use, so unused functions are left out.
  // (An array, not a Map: it is looked up once per call boundary, millions of times.)
  let frameOf = new Int32Array(1024).fill(-1);
  const frames: Array<{ name: string; file: string; line: number }> = [];
  const frame = (fn: number): number => {
    if (fn >= frameOf.length) {
      const grown = new Int32Array(Math.max(fn + 1, frameOf.length * 2)).fill(-1);
      grown.set(frameOf);
      frameOf = grown;
    }
    let index = frameOf[fn];
    if (index < 0) {
      // A call found running at the start that turned out to be another function: its frame.
      const same = functions.canonical(fn);
      if (same !== fn) {
        index = frame(same);
      } else {
        index = frames.length;
        frames.push({ name: functions.name(fn), file: functions.file(fn), line: functions.line(fn) });
      }
      frameOf[fn] = index;
    }
    return index;
  };
  // Timeline times are on the reader's clock; the analysis's time 0 is its first event.
  const origin = analysis.originNs;
  // Resolve every frame index first: the shared frames come before the profiles in the file.
  // The same pass bounds the events' bytes; they are measured at every resolution (a pass of its
  // own, EventSizes) only when the bound does not show that the file with every call fits.
  const bound = new EventBound(origin);
  for (let thread = 0; thread < timelineThreadCount(timeline); thread++) {
    const start = threadStart(timeline, thread);
    // Only the analysis's threads get a profile (their frames are resolved all the same).
    const counted = thread < analysis.threads.length;
    for (const fn of start.openAtStart) {
      frame(fn);
      if (counted) bound.add(start.startTs);
    }
    // What the recorder kept of the thread gives the same frames, in the same order, and the same
    // bound, without reading its boundaries (from a temporary file, for a long trace) once more.
    const summary = threadSummary(timeline, thread);
    if (summary !== undefined && bound.takes(summary)) {
      for (const fn of summary.firstUses) frame(fn);
      if (counted) bound.addSummary(summary);
      continue;
    }
    await forEachBoundaryChunk(timeline, thread, ({ events, at }) => {
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        const fn = e > 0 ? e - 1 : -e - 1;
        // Nearly every boundary's function has its frame already: the call is for the rest.
        if (fn >= frameOf.length || frameOf[fn] < 0) frame(fn);
      }
      if (counted) bound.addAll(at);
    });
  }
  const eventFrames = frames.length;
  // A counts-only trace (SystemTap "top") has no calls to time: its profile weighs calls.
  const countsOnly = analysis.threads.length === 0 && analysis.callCounts !== undefined;
  // The frame that stands for the frames below a cut stack, made when first needed.
  let deeper = -1;
  const deeperFrame = () => {
    if (deeper < 0) {
      deeper = frames.length;
      frames.push({ name: DEEPER_FRAMES, file: '', line: 0 });
    }
    return deeper;
  };
  const samples = countsOnly ? callCountSamples(analysis, frame) : allThreadsSamples(analysis, frame, deeperFrame);
  const document: Document = {
    analysis,
    timeline,
    exporter,
    frames,
    frameOf,
    samples,
    countsOnly,
    origin,
    reuseChunks: options.reuseChunks ?? false,
  };
  let resolution = 0;
  let fullBytes = Number.NaN;
  if (Number.isFinite(maxBytes)) {
    // Everything but the events, counted by writing it (small beside the events).
    let shared = 0;
    await writeDocument(document, 0, false, (piece) => {
      shared += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
    });
    const atMost = bound.bytesAtMost(eventFrames);
    if (atMost === undefined || shared + atMost > maxBytes) {
      const sizes = await measureEvents(document);
      const sizeAt = (index: number) =>
        shared +
        sizes.bytesAt(index) +
        analysis.threads.length * Buffer.byteLength(resolutionLabel(RESOLUTIONS[index]));
      fullBytes = sizeAt(0);
      resolution = RESOLUTIONS[chooseResolution(maxBytes, sizeAt)];
    }
  }
  let bytes = 0;
  await writeDocument(document, resolution, true, (piece) => {
    bytes += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
    return write(piece);
  });
  return { bytes, fullBytes: resolution === 0 ? bytes : fullBytes, resolutionNs: resolution, maxBytes };
}

/** The events' bytes at every resolution (a pass over the timeline: see EventSizes). */
async function measureEvents(doc: Document): Promise<EventSizes> {
  const { analysis, timeline, frameOf } = doc;
  const sizes = new EventSizes(doc.origin);
  for (let thread = 0; thread < analysis.threads.length; thread++) {
    const start = threadStart(timeline, thread);
    sizes.beginThread();
    for (const fn of start.openAtStart) sizes.open(frameOf[fn], start.startTs);
    await forEachBoundaryChunk(timeline, thread, ({ events, at }) => {
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        if (e > 0) sizes.open(frameOf[e - 1], at[i]);
        else sizes.close(frameOf[-e - 1], at[i]);
      }
    });
    sizes.endThread();
  }
  return sizes;
}

/**
 * A bound on the evented profiles' bytes with every call, from the events' count and the range of
 * their times: when the file fits the budget even so, nothing needs measuring. No bound when a
 * time is not a whole number (written as String() writes it: its length varies).
 */
class EventBound {
  private count = 0;
  private least = 0;
  private most = 0;
  private whole = true;

  constructor(private readonly origin: number) {}

  add(ts: number): void {
    const at = ts - this.origin;
    this.count++;
    if (at < this.least) this.least = at;
    if (at > this.most) this.most = at;
    if (!Number.isSafeInteger(at)) this.whole = false;
  }

  addAll(ts: Float64Array): void {
    let { least, most, whole } = this;
    const origin = this.origin;
    for (let i = 0; i < ts.length; i++) {
      const at = ts[i] - origin;
      if (at < least) least = at;
      else if (at > most) most = at;
      // A whole number within 2^53 (Number.isSafeInteger, without a call per time).
      if (whole && !(at === Math.floor(at) && Math.abs(at) <= Number.MAX_SAFE_INTEGER)) whole = false;
    }
    this.count += ts.length;
    this.least = least;
    this.most = most;
    this.whole = whole;
  }

  /**
   * Can a thread's summary stand for its times (addSummary, exactly as addAll of each)? When its
   * times and the origin are whole numbers within 2^53: then every time's distance from the
   * origin is exact, and the extremes' distances are the extremes.
   */
  takes(summary: ThreadTimelineSummary): boolean {
    return summary.wholeTs && Number.isSafeInteger(this.origin);
  }

  /** A thread's times, from its summary (see takes). */
  addSummary(summary: ThreadTimelineSummary): void {
    if (summary.count === 0) return;
    const least = summary.leastTs - this.origin;
    const most = summary.mostTs - this.origin;
    if (least < this.least) this.least = least;
    if (most > this.most) this.most = most;
    if (!(Math.abs(least) <= Number.MAX_SAFE_INTEGER && Math.abs(most) <= Number.MAX_SAFE_INTEGER)) this.whole = false;
    this.count += summary.count;
  }

  /** At most how many bytes the events take, their frame indices below `frames`; undefined: unknown. */
  bytesAtMost(frames: number): number | undefined {
    if (!this.whole) return undefined;
    // A whole number's length grows with its magnitude (and a sign): the extremes are the longest.
    const at = Math.max(numberByteLength(this.least), numberByteLength(this.most));
    return this.count * eventBytes(Math.max(0, frames - 1), 0) + this.count * (at - 1);
  }
}

/** What the file is made of, resolved before writing. */
interface Document {
  readonly analysis: Analysis;
  readonly timeline: TimelineRecorder;
  readonly exporter: string;
  readonly frames: ReadonlyArray<{ name: string; file: string; line: number }>;
  /** Frame index per function (every function of the timeline has one). */
  readonly frameOf: Int32Array;
  readonly samples: Samples;
  readonly countsOnly: boolean;
  readonly origin: number;
  readonly reuseChunks: boolean;
}

/**
 * The file: at `resolution` 0 every call; above, the calls shorter than it left out of the
 * evented profiles. Without `withEvents`, everything but the events (to measure it).
 */
async function writeDocument(doc: Document, resolution: number, withEvents: boolean, write: Sink): Promise<void> {
  const { analysis, frames, samples, countsOnly } = doc;
  const out = new ByteChunks(write, doc.reuseChunks);
  const prefixes = new EventPrefixes();
  const fast = withEvents && resolution === 0 ? EventText.create(doc.frameOf, FAST_RUN_BYTES) : undefined;
  await out.text(
    `{"$schema":"https://www.speedscope.app/file-format-schema.json","exporter":${JSON.stringify(doc.exporter)},"name":${JSON.stringify(displayName(analysis.source.path))},"activeProfileIndex":0,"shared":{"frames":`,
  );
  await out.text(JSON.stringify(frames));
  await out.text('},"profiles":[');
  let firstProfile = true;
  for (const [index, thread] of analysis.threads.entries()) {
    const name = threadLabel(thread.pid, thread.tid, thread.name) + resolutionLabel(resolution);
    await out.text(
      `${firstProfile ? '' : ','}{"type":"evented","name":${JSON.stringify(name)},"unit":"nanoseconds","startValue":${thread.startNs},"endValue":${thread.endNs},"events":[`,
    );
    firstProfile = false;
    if (withEvents) {
      if (resolution === 0) await writeEveryCall(doc, index, out, prefixes, fast);
      else await writeCallsAtResolution(doc, index, resolution, out, prefixes);
    }
    await out.text(']}');
  }
  const sampledName = countsOnly ? 'calls (counts-only trace)' : 'all threads (self time)';
  await out.text(
    `${firstProfile ? '' : ','}{"type":"sampled","name":${JSON.stringify(sampledName)},"unit":"${countsOnly ? 'none' : 'nanoseconds'}","startValue":0,"endValue":${samples.total},"samples":[`,
  );
  // Written stack by stack: the stacks together can be far larger than the trace.
  for (let i = 0; i < samples.count; i++) {
    if (i > 0) out.byte(COMMA);
    out.byte(OPEN_BRACKET);
    const stack = samples.stack(i);
    for (let j = 0; j < stack.length; j++) {
      if (j > 0) out.byte(COMMA);
      out.number(stack[j]);
      if (out.full) await out.flush();
    }
    out.byte(CLOSE_BRACKET);
    if (out.full) await out.flush();
  }
  out.bytes(WEIGHTS_KEY);
  for (let i = 0; i < samples.count; i++) {
    if (i > 0) out.byte(COMMA);
    out.number(samples.weights[i]);
    if (out.full) await out.flush();
  }
  await out.text(']}]}\n');
  await out.end();
}

/** One thread's events, every call: by the WebAssembly formatter when there is one. */
async function writeEveryCall(
  doc: Document,
  thread: number,
  out: ByteChunks,
  prefixes: EventPrefixes,
  fast: EventText | undefined,
): Promise<void> {
  const { frameOf, origin } = doc;
  const start = threadStart(doc.timeline, thread);
  let first = true;
  for (const fn of start.openAtStart) {
    writeEvent(out, prefixes.get(frameOf[fn], true, first), start.startTs - origin);
    first = false;
    if (out.full) await out.flush();
  }
  await forEachBoundaryChunk(doc.timeline, thread, async ({ events, at }) => {
    if (fast !== undefined) {
      first = await writeEventsFast(doc, events, at, first, out, prefixes, fast);
      return;
    }
    for (let i = 0; i < events.length; i++) {
      writeBoundary(out, prefixes, frameOf, events[i], first, at[i] - origin);
      first = false;
      if (out.full) await out.flush();
    }
  });
}

/** Events the WebAssembly formatter takes in at once: its memory stays small however long the piece. */
const FAST_SLICE = 1 << 16;
/** Bytes the WebAssembly formatter writes in one run (then copied into the file's chunk). */
const FAST_RUN_BYTES = 1 << 18;

/**
 * A piece's events through the WebAssembly formatter; an event whose time it leaves to JavaScript
 * (not a safe whole number) is written here, as writeEvent writes it. Returns `first` after them.
 */
async function writeEventsFast(
  doc: Document,
  events: Int32Array,
  at: Float64Array,
  first: boolean,
  out: ByteChunks,
  prefixes: EventPrefixes,
  fast: EventText,
): Promise<boolean> {
  const { frameOf, origin } = doc;
  for (let slice = 0; slice < events.length; slice += FAST_SLICE) {
    const end = Math.min(events.length, slice + FAST_SLICE);
    fast.load(events.subarray(slice, end), at.subarray(slice, end));
    let i = 0;
    while (i < end - slice) {
      const run = fast.run(i, origin, first);
      if (run.next > i) first = false;
      await out.copy(run.text);
      i = run.next;
      if (run.oddTime) {
        writeBoundary(out, prefixes, frameOf, events[slice + i], first, at[slice + i] - origin);
        first = false;
        i++;
        if (out.full) await out.flush();
      }
    }
  }
  return first;
}

/** A recorded boundary (fn + 1 opening, -(fn + 1) closing) as its event, at `at` from the trace's start. */
function writeBoundary(
  out: ByteChunks,
  prefixes: EventPrefixes,
  frameOf: Int32Array,
  boundary: number,
  first: boolean,
  at: number,
): void {
  writeEvent(out, prefixes.get(frameOf[boundary > 0 ? boundary - 1 : -boundary - 1], boundary > 0, first), at);
}

/** An event: its prefix (see EventPrefixes), its time from the trace's start, the closing brace. */
function writeEvent(out: ByteChunks, prefix: Uint8Array, at: number): void {
  out.bytes(prefix);
  out.number(at);
  out.byte(CLOSE_BRACE);
}

/**
 * One thread's events without the calls shorter than `resolution` ns, in one pass: an opening
 * waits on a stack until its call is known to last `resolution` (a later boundary is that far
 * from it) and is written then, before any of its callees; a call that closes sooner is dropped
 * with everything inside it (all shorter still). What is written is the full file's events minus
 * the dropped calls, in the same order: balanced and in time order as they are. EventSizes
 * measures exactly this rule (a call is kept iff close - open >= resolution).
 */
async function writeCallsAtResolution(
  doc: Document,
  thread: number,
  resolution: number,
  out: ByteChunks,
  prefixes: EventPrefixes,
): Promise<void> {
  const { frameOf, origin } = doc;
  const start = threadStart(doc.timeline, thread);
  const openFrame = new Int32List(64);
  const openAt = new Float64List(64);
  /** The openings at the bottom of the stack already written. */
  let written = 0;
  let first = true;
  const event = (frameIndex: number, opening: boolean, at: number) => {
    out.bytes(prefixes.get(frameIndex, opening, first));
    out.number(at - origin);
    out.byte(CLOSE_BRACE);
    first = false;
  };
  // Writes the waiting openings of calls known to last `resolution` by time `now` (open times
  // rise up the stack, so they are the ones from the bottom up to the first that does not).
  // True when it stopped because the chunk is full: the caller flushes and calls again.
  const writeLasting = (now: number): boolean => {
    while (written < openAt.length && now - openAt.get(written) >= resolution) {
      event(openFrame.get(written), true, openAt.get(written));
      written++;
      if (out.full) return true;
    }
    return false;
  };
  for (const fn of start.openAtStart) {
    openFrame.push(frameOf[fn]);
    openAt.push(start.startTs);
  }
  await forEachBoundaryChunk(doc.timeline, thread, async ({ events, at }) => {
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e > 0) {
        openFrame.push(frameOf[e - 1]);
        openAt.push(at[i]);
        continue;
      }
      while (writeLasting(at[i])) await out.flush();
      const depth = openAt.length;
      if (depth === 0 || written === depth) {
        // The call is kept (or closes nothing, as the full file would write it too).
        event(frameOf[-e - 1], false, at[i]);
        if (depth > 0) written--;
        if (out.full) await out.flush();
      }
      if (depth > 0) {
        openFrame.length = depth - 1;
        openAt.length = depth - 1;
      }
    }
  });
  // Calls never closed (none, in a balanced timeline) are kept, as EventSizes counts them.
  while (writeLasting(Number.POSITIVE_INFINITY)) await out.flush();
}

/** The sampled profile: `count` stacks of frame indices (stack(i) is valid until the next call) and their weights. */
interface Samples {
  readonly count: number;
  stack(index: number): ArrayLike<number>;
  readonly weights: ArrayLike<number>;
  readonly total: number;
}

/**
 * Every distinct call path of every thread with its self time, merged across threads, in order
 * of their stacks (as sequences of frame indices). Paths are cut at MAX_STACK_DEPTH frames: the
 * self time below goes to a DEEPER_FRAMES frame, so the weights still add up to the traced time.
 */
function allThreadsSamples(analysis: Analysis, frame: (fn: number) => number, deeperFrame: () => number): Samples {
  const stacks = mergeStacks(analysis.threads, (thread, node) => thread.tree.selfNs.get(node));
  const frameOfNode = new Int32Array(stacks.size);
  for (let node = 1; node < stacks.size; node++)
    frameOfNode[node] = stacks.fn[node] === DEEPER_FN ? deeperFrame() : frame(stacks.fn[node]);
  const order = preorder(stacks, (a, b) => frameOfNode[a] - frameOfNode[b]);
  const nodes: number[] = [];
  const weights: number[] = [];
  let total = 0;
  for (const node of order) {
    if (node === 0 || stacks.has[node] === 0) continue;
    nodes.push(node);
    weights.push(stacks.value[node]);
    total += stacks.value[node];
  }
  const path = new Int32Array(MAX_STACK_DEPTH + 2);
  return {
    count: nodes.length,
    weights,
    total,
    stack(index: number) {
      const node = nodes[index];
      const depth = stacks.depth[node];
      for (let n = node; n > 0; n = stacks.parent[n]) path[stacks.depth[n] - 1] = frameOfNode[n];
      return path.subarray(0, depth);
    },
  };
}

/** Each function of a counts-only trace as a one-frame sample weighing its calls. */
function callCountSamples(analysis: Analysis, frame: (fn: number) => number): Samples {
  const entries = [...analysis.callCounts!.byFunction]
    .map(([fn, counts]) => ({ stack: [frame(fn)], weight: counts.reduce((a, b) => a + b, 0) }))
    .filter((e) => e.weight > 0)
    .sort((a, b) => a.stack[0] - b.stack[0]);
  return {
    count: entries.length,
    stack: (i) => entries[i].stack,
    weights: entries.map((e) => e.weight),
    total: entries.reduce((sum, e) => sum + e.weight, 0),
  };
}

function displayName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
