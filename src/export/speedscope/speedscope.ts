import type { Analysis } from '../../analyze/analysis.js';
import { stackOf } from '../../analyze/analyzer.js';
import { threadLabel } from '../thread-label.js';
import { asciiBytes, ByteChunks, type Sink } from './byte-chunks.js';
import type { TimelineRecorder } from './timeline-recorder.js';

export type { Sink } from './byte-chunks.js';

/** Frames whose event prefixes are kept ready-made (beyond, they are formatted each time). */
const PREFIX_CACHE_FRAMES = 1 << 16;
const CLOSE_BRACE = 0x7d;

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
export async function writeSpeedscope(analysis: Analysis, timeline: TimelineRecorder, write: Sink, exporter: string): Promise<void> {
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
      index = frames.length;
      frameOf[fn] = index;
      frames.push({ name: functions.name(fn), file: functions.file(fn), line: functions.line(fn) });
    }
    return index;
  };
  // Timeline times are on the reader's clock; the analysis's time 0 is its first event.
  const origin = analysis.originNs;
  // Resolve every frame index first: the shared frames come before the profiles in the file.
  const threadEvents = timeline.threads.map((t) => t.events.view());
  for (const [index, events] of threadEvents.entries()) {
    for (const fn of timeline.threads[index].openAtStart) frame(fn);
    for (let i = 0; i < events.length; i++) frame(Math.abs(events[i]) - 1);
  }
  // A counts-only trace (SystemTap "top") has no calls to time: its profile weighs calls.
  const countsOnly = analysis.threads.length === 0 && analysis.callCounts !== undefined;
  const samples = countsOnly ? callCountSamples(analysis, frame) : allThreadsSamples(analysis, frame);
  const out = new ByteChunks(write);
  const prefixes = new EventPrefixes();
  await out.text(`{"$schema":"https://www.speedscope.app/file-format-schema.json","exporter":${JSON.stringify(exporter)},"name":${JSON.stringify(displayName(analysis.source.path))},"activeProfileIndex":0,"shared":{"frames":`);
  await out.text(JSON.stringify(frames));
  await out.text('},"profiles":[');
  let firstProfile = true;
  for (const [index, thread] of analysis.threads.entries()) {
    const recorded = timeline.threads[index];
    const events = threadEvents[index] ?? new Int32Array(0);
    const at = recorded?.at.view() ?? new Float64Array(0);
    await out.text(`${firstProfile ? '' : ','}{"type":"evented","name":${JSON.stringify(threadLabel(thread.pid, thread.tid))},"unit":"nanoseconds","startValue":${thread.startNs},"endValue":${thread.endNs},"events":[`);
    firstProfile = false;
    let first = true;
    for (const fn of recorded?.openAtStart ?? []) {
      out.bytes(prefixes.get(frame(fn), true, first));
      out.number(recorded.startTs - origin);
      out.byte(CLOSE_BRACE);
      first = false;
      if (out.full) await out.flush();
    }
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      out.bytes(prefixes.get(frameOf[e > 0 ? e - 1 : -e - 1], e > 0, first));
      out.number(at[i] - origin);
      out.byte(CLOSE_BRACE);
      first = false;
      if (out.full) await out.flush();
    }
    await out.text(']}');
  }
  const sampledName = countsOnly ? 'calls (counts-only trace)' : 'all threads (self time)';
  await out.text(`${firstProfile ? '' : ','}{"type":"sampled","name":${JSON.stringify(sampledName)},"unit":"${countsOnly ? 'none' : 'nanoseconds'}","startValue":0,"endValue":${samples.total},"samples":`);
  await out.text(JSON.stringify(samples.stacks));
  await out.text(',"weights":');
  await out.text(JSON.stringify(samples.weights));
  await out.text('}]}\n');
  await out.flush();
}

/** Every distinct call path of every thread with its self time, merged across threads. */
function allThreadsSamples(analysis: Analysis, frame: (fn: number) => number): { stacks: number[][]; weights: number[]; total: number } {
  const weightOf = new Map<string, { stack: number[]; weight: number }>();
  for (const thread of analysis.threads) {
    const tree = thread.tree;
    for (let node = 0; node < tree.size; node++) {
      const self = tree.selfNs.get(node);
      if (self <= 0 || tree.func.get(node) < 0) continue;
      const stack = stackOf(thread, node).map(frame);
      const key = stack.join(',');
      const known = weightOf.get(key);
      if (known === undefined) weightOf.set(key, { stack, weight: self });
      else known.weight += self;
    }
  }
  const entries = [...weightOf.values()].sort((a, b) => compare(a.stack, b.stack));
  return { stacks: entries.map((e) => e.stack), weights: entries.map((e) => e.weight), total: entries.reduce((sum, e) => sum + e.weight, 0) };
}

/** Each function of a counts-only trace as a one-frame sample weighing its calls. */
function callCountSamples(analysis: Analysis, frame: (fn: number) => number): { stacks: number[][]; weights: number[]; total: number } {
  const entries = [...analysis.callCounts!.byFunction]
    .map(([fn, counts]) => ({ stack: [frame(fn)], weight: counts.reduce((a, b) => a + b, 0) }))
    .filter((e) => e.weight > 0)
    .sort((a, b) => a.stack[0] - b.stack[0]);
  return { stacks: entries.map((e) => e.stack), weights: entries.map((e) => e.weight), total: entries.reduce((sum, e) => sum + e.weight, 0) };
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function displayName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
