import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { analysisJsonText } from '../src/export/analysis-json.js';
import { flameChartSvg } from '../src/export/chart/render-chart.js';
import { foldedText } from '../src/export/folded.js';
import { writeSpeedscope } from '../src/export/speedscope/speedscope.js';
import { TimelineRecorder } from '../src/export/speedscope/timeline-recorder.js';
import { openSpillFiles, spilledByteCount } from '../src/io/spill-file.js';
import { SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

// Issue 16 (memory): a trace whose call durations and call timeline outgrow their budget has them
// spilled to a temporary file. Every output must come out byte for byte as from memory, and the
// temporary files must be gone afterwards, also after an error.
const scratch = scratchDir('spill');

/**
 * A deterministic trace of `threads` threads making `calls` calls each (random walks over a few
 * functions, nested up to 12 deep), with a stated recording cost in fractional ns when `cost`:
 * then every duration is fractional and the means depend on the order they are added in.
 */
function generatedTrace(threads: number, calls: number, cost: boolean): string {
  let seed = 12345;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const functions = ['main', 'parse', 'walk', 'emit', 'cache_get', 'cache_put', 'helper'];
  const stacks: number[][] = Array.from({ length: threads }, () => []);
  const made = new Array(threads).fill(0);
  const lines = ['# pyflame-trace v1 clock=realtime_ns'];
  if (cost) lines.push('# pyflame-cost v1 recorder=test entry=33.3,1.7,11.9 return=41.1,2.3,20.7');
  let ts = 1_700_000_000_000_000_000n;
  const line = (tid: number, probe: string, fn: number, at: number) =>
    `${ts}\t4242\t${5000 + tid}\t${probe}\t/app/${functions[fn]}.py\t${functions[fn]}\t${10 * fn + at}`;
  while (made.some((count, t) => count < calls || stacks[t].length > 0)) {
    const t = next(threads);
    ts += BigInt(1 + next(3000) * (next(50) === 0 ? 1000 : 1));
    const stack = stacks[t];
    const opening = made[t] < calls && (stack.length === 0 || (stack.length < 12 && next(2) === 0));
    if (opening) {
      const fn = next(functions.length);
      stack.push(fn);
      made[t]++;
      lines.push(line(t, 'function__entry', fn, 0));
    } else if (stack.length > 0) lines.push(line(t, 'function__return', stack.pop()!, 1));
  }
  return `${lines.join('\n')}\n`;
}

/** Every output of one analysis: JSON, folded, speedscope, chart. */
async function outputsOf(path: string, budgetBytes: number | undefined) {
  const timeline = new TimelineRecorder(budgetBytes);
  try {
    const analysis = await analyzeTrace(path, { timeline, spillBudgetBytes: budgetBytes, parseThread: false });
    const pieces: (string | Uint8Array)[] = [];
    await writeSpeedscope(analysis, timeline, async (piece) => void pieces.push(piece), 'test');
    const speedscope = Buffer.concat(pieces.map((piece) => Buffer.from(piece))).toString('utf8');
    return {
      json: analysisJsonText(analysis),
      folded: foldedText(analysis),
      speedscope,
      chart: flameChartSvg(analysis, timeline, { title: 't' }),
      timelineSpilled: timeline.spilled,
    };
  } finally {
    timeline.dispose();
  }
}

const TRACES = [
  ['three threads, whole ns', generatedTrace(3, 3000, false)],
  ['three threads, a stated recording cost (fractional ns)', generatedTrace(3, 3000, true)],
  ['one thread', generatedTrace(1, 4000, false)],
] as const;

describe('spilled durations and timeline', () => {
  for (const [name, text] of TRACES) {
    it(`give the same outputs as in memory: ${name}`, async () => {
      const path = writeScratch(scratch, text);
      const inMemory = await outputsOf(path, undefined);
      assert.equal(inMemory.timelineSpilled, false, 'a small trace stays in memory');
      for (const budget of [16, 1000, 20_000]) {
        const before = spilledByteCount();
        const spilled = await outputsOf(path, budget);
        assert.ok(spilledByteCount() > before, `budget ${budget}: something was spilled`);
        assert.equal(spilled.timelineSpilled, true);
        assert.equal(spilled.json, inMemory.json, `budget ${budget}: JSON`);
        assert.equal(spilled.folded, inMemory.folded, `budget ${budget}: folded`);
        assert.equal(spilled.speedscope, inMemory.speedscope, `budget ${budget}: speedscope`);
        assert.equal(spilled.chart, inMemory.chart, `budget ${budget}: chart`);
      }
      assert.equal(openSpillFiles(), 0, 'every temporary file given back');
    });
  }

  it('leave no temporary file after a read that failed', async () => {
    const text = generatedTrace(2, 4000, false);
    const size = Buffer.byteLength(text);
    const path = writeScratch(scratch, text);
    const timeline = new TimelineRecorder(64);
    const before = spilledByteCount();
    // The read fails halfway (as a damaged file or a full disk would make it).
    const onProgress = (bytesRead: number) => {
      if (bytesRead > size * 0.9) throw new Error('stopped halfway');
    };
    await assert.rejects(
      analyzeTrace(path, {
        timeline,
        spillBudgetBytes: 64,
        parseThread: false,
        batchSize: 256,
        reorderWindow: 64,
        chunkBytes: 4096,
        onProgress,
      }),
      /stopped halfway/,
    );
    assert.ok(spilledByteCount() > before, 'the failure came after something was spilled');
    timeline.dispose();
    assert.equal(openSpillFiles(), 0);
  });
});

describe('pyflame analyze with PYFLAME_SPILL_BUDGET', () => {
  const outputs = ['json', 'folded', 'speedscope', 'svg', 'chart', 'html'];
  const run = async (trace: string, dir: string, env: NodeJS.ProcessEnv) =>
    runCli(['analyze', trace, ...outputs.flatMap((flag) => [`--${flag}`, join(dir, `out.${flag}`)])], { env });

  for (const trace of [join(SAMPLES, 'threads.pyflame.txt'), join(SAMPLES, 'recursion-main.dtrace.txt')]) {
    it(`writes the same files spilling as in memory, and leaves nothing in PYFLAME_TMPDIR: ${trace.slice(SAMPLES.length + 1)}`, async () => {
      const tmp = scratchDir('spill-tmp');
      const memory = scratchDir('spill-memory');
      const spilled = scratchDir('spill-spilled');
      const a = await run(trace, memory, { PYFLAME_TMPDIR: tmp });
      const b = await run(trace, spilled, { PYFLAME_TMPDIR: tmp, PYFLAME_SPILL_BUDGET: '16' });
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(b.stdout, a.stdout);
      for (const flag of outputs)
        assert.ok(
          readFileSync(join(spilled, `out.${flag}`)).equals(readFileSync(join(memory, `out.${flag}`))),
          `--${flag}`,
        );
      assert.deepEqual(readdirSync(tmp), []);
    });
  }

  it('leaves nothing in PYFLAME_TMPDIR after an error (exit 2)', async () => {
    const tmp = scratchDir('spill-tmp');
    // On stdin, after batches enough to spill (a batch is 65,536 events), a line too long to be a trace's: the read fails.
    const stdin = `${generatedTrace(3, 30_000, false)}${'x'.repeat(17 * 1024 * 1024)}`;
    const out = scratchDir('spill-out');
    const result = await runCli(
      ['analyze', '-', '--reorder-window', '64', '--json', join(out, 'a.json'), '--speedscope', join(out, 'a.ss')],
      {
        stdin,
        env: { PYFLAME_TMPDIR: tmp, PYFLAME_SPILL_BUDGET: '64' },
      },
    );
    assert.match(result.stderr, /line longer than/);
    assert.equal(result.code, 2, result.stderr);
    assert.deepEqual(readdirSync(tmp), []);
  });

  it('a bad PYFLAME_SPILL_BUDGET is a usage error before any work (exit 2, no stack)', async () => {
    const result = await runCli(['analyze', join(SAMPLES, 'call-stack.pyflame.txt')], {
      env: { PYFLAME_SPILL_BUDGET: '32MB' },
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^pyflame: error: PYFLAME_SPILL_BUDGET must be a whole number of bytes \(got "32MB"\)/);
    assert.doesNotMatch(result.stderr, /internal error|\bat /);
    assert.equal(result.stdout, '');
  });
});
