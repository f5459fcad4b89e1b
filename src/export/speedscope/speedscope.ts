import type { Analysis } from '../../analyze/analysis.js';
import { DEEPER_FN, DEEPER_FRAMES, MAX_STACK_DEPTH, mergeStacks, preorder } from '../stack-depth.js';
import { threadLabel } from '../thread-label.js';
import { asciiBytes, ByteChunks, type Sink } from './byte-chunks.js';
import type { TimelineRecorder } from './timeline-recorder.js';

export type { Sink } from './byte-chunks.js';

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

/**
 * Writes a speedscope file (https://www.speedscope.app/file-format-schema.json): one evented
 * profile per thread, named with its pid and tid, and one sampled "all threads" profile weighted
 * by self time. Times are ns from the trace's start (never epoch-sized: speedscope would round
 * them), every profile is balanced and in time order (partial calls were closed by the analysis),
 * frames are deduplicated. Streamed in pieces: a large trace's timeline never becomes one string.
 */
export async function writeSpeedscope(
  analysis: Analysis,
  timeline: TimelineRecorder,
  write: Sink,
  exporter: string,
): Promise<void> {
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
  for (const [index, recorded] of timeline.threads.entries()) {
    for (const fn of recorded.openAtStart) frame(fn);
    for (const { events } of timeline.pieces(index))
      for (let i = 0; i < events.length; i++) frame(Math.abs(events[i]) - 1);
  }
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
  const out = new ByteChunks(write);
  const prefixes = new EventPrefixes();
  await out.text(
    `{"$schema":"https://www.speedscope.app/file-format-schema.json","exporter":${JSON.stringify(exporter)},"name":${JSON.stringify(displayName(analysis.source.path))},"activeProfileIndex":0,"shared":{"frames":`,
  );
  await out.text(JSON.stringify(frames));
  await out.text('},"profiles":[');
  let firstProfile = true;
  for (const [index, thread] of analysis.threads.entries()) {
    const recorded = timeline.threads[index];
    await out.text(
      `${firstProfile ? '' : ','}{"type":"evented","name":${JSON.stringify(threadLabel(thread.pid, thread.tid, thread.name))},"unit":"nanoseconds","startValue":${thread.startNs},"endValue":${thread.endNs},"events":[`,
    );
    firstProfile = false;
    let first = true;
    for (const fn of recorded?.openAtStart ?? []) {
      out.bytes(prefixes.get(frame(fn), true, first));
      out.number(recorded.startTs - origin);
      out.byte(CLOSE_BRACE);
      first = false;
      if (out.full) await out.flush();
    }
    // Read back a piece at a time: a long trace's timeline may be in a temporary file.
    for (const { events, at } of timeline.pieces(index)) {
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        out.bytes(prefixes.get(frameOf[e > 0 ? e - 1 : -e - 1], e > 0, first));
        out.number(at[i] - origin);
        out.byte(CLOSE_BRACE);
        first = false;
        if (out.full) await out.flush();
      }
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
  await out.flush();
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
