import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { type SpeedscopeOptions, writeSpeedscope } from '../src/export/speedscope/speedscope.js';
import { TimelineRecorder } from '../src/export/speedscope/timeline-recorder.js';
import { SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

// The speedscope writer resolves its frames (written first in the file) and bounds the file's
// size from what the timeline recorder kept of each thread as it recorded (functions in order of
// first use, count, time range), instead of reading every boundary once more. Where the recorder
// kept nothing (threads past the 31st) or the times are not whole, it reads them as before. The
// file must be the same bytes either way.

const scratch = scratchDir('speedscope-summary');

/** The speedscope file of `path`, from the recorder's summaries or (`readAll`) without them. */
async function speedscopeOf(
  path: string,
  readAll: boolean,
  options: SpeedscopeOptions,
  spillBudgetBytes?: number,
): Promise<string> {
  const timeline = new TimelineRecorder(spillBudgetBytes);
  try {
    const analysis = await analyzeTrace(path, { timeline, spillBudgetBytes, parseThread: false });
    if (readAll) {
      assert.ok(timeline.summary(0) !== undefined || analysis.threads.length === 0, 'a summary was kept');
      timeline.summary = () => undefined;
    }
    const pieces: Buffer[] = [];
    await writeSpeedscope(analysis, timeline, async (piece) => void pieces.push(Buffer.from(piece)), 'test', options);
    return Buffer.concat(pieces).toString('utf8');
  } finally {
    timeline.dispose();
  }
}

interface TraceShape {
  readonly threads: number;
  readonly steps: readonly { thread: number; fn: number; open: boolean; gap: number }[];
  readonly cost: boolean;
  readonly epoch: boolean;
}

/** A pyflame-format trace from `shape`: calls opened and closed per thread (closed at the end). */
function traceText({ threads, steps, cost, epoch }: TraceShape): string {
  const functions = ['main', 'parse', 'walk', 'emit', 'get', 'put', '<lambda>', 'run'];
  const lines = [`# pyflame-trace v1 clock=${epoch ? 'realtime_ns' : 'monotonic_ns'}`];
  if (cost) lines.push('# pyflame-cost v1 recorder=test entry=33.3,1.7,11.9 return=41.1,2.3,20.7');
  let ts = epoch ? 1_700_000_000_000_000_000n : 5_000n;
  const stacks: number[][] = Array.from({ length: threads }, () => []);
  const line = (thread: number, probe: string, fn: number) =>
    `${ts}\t77\t${1000 + thread}\t${probe}\t/app/${functions[fn]}.py\t${functions[fn]}\t${10 * fn + 1}`;
  for (const { thread, fn, open, gap } of steps) {
    ts += BigInt(1 + gap);
    const t = thread % threads;
    if (open || stacks[t].length === 0) {
      stacks[t].push(fn);
      lines.push(line(t, 'function__entry', fn));
    } else lines.push(line(t, 'function__return', stacks[t].pop()!));
  }
  for (let t = 0; t < threads; t++) {
    while (stacks[t].length > 0) {
      ts += 1n;
      lines.push(line(t, 'function__return', stacks[t].pop()!));
    }
  }
  return `${lines.join('\n')}\n`;
}

const shapeArb: fc.Arbitrary<TraceShape> = fc.record({
  threads: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 30, max: 40 })),
  steps: fc.array(
    fc.record({
      thread: fc.nat(39),
      fn: fc.nat(7),
      open: fc.boolean(),
      gap: fc.oneof(fc.nat(50), fc.nat(5_000_000)),
    }),
    { minLength: 1, maxLength: 400 },
  ),
  cost: fc.boolean(),
  epoch: fc.boolean(),
});

describe('speedscope frames and size bound from the recorder', () => {
  it('give the same file as reading every boundary, whatever the threads, times and budgets', async () => {
    await fc.assert(
      fc.asyncProperty(
        shapeArb,
        fc.constantFrom(Number.POSITIVE_INFINITY, 2000, 20_000),
        fc.constantFrom(undefined, 64),
        async (shape, maxBytes, spillBudget) => {
          const path = writeScratch(scratch, traceText(shape));
          const options = { maxBytes };
          assert.equal(
            await speedscopeOf(path, false, options, spillBudget),
            await speedscopeOf(path, true, options, spillBudget),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('give the same file for every shipped sample trace', async () => {
    const samples = readdirSync(SAMPLES).filter((name) => name.endsWith('.txt'));
    assert.ok(samples.length >= 5);
    for (const name of samples) {
      for (const maxBytes of [Number.POSITIVE_INFINITY, 4096]) {
        const path = join(SAMPLES, name);
        assert.equal(
          await speedscopeOf(path, false, { maxBytes }),
          await speedscopeOf(path, true, { maxBytes }),
          `${name}, maxBytes ${maxBytes}`,
        );
      }
    }
  });
});
