import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { foldedText } from '../src/export/folded.js';
import { writeSpeedscope } from '../src/export/speedscope/speedscope.js';
import { TimelineRecorder } from '../src/export/speedscope/timeline-recorder.js';
import { assertGolden } from './helpers/golden.js';
import { assertImportable, assertSchemaValid, type SpeedscopeFile } from './helpers/speedscope-check.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { balancedTrace, toPyflameText } from './helpers/trace-gen.js';

const scratch = scratchDir('flame');

async function speedscopeOf(path: string): Promise<{ text: string; selfTotal: number }> {
  const timeline = new TimelineRecorder();
  const analysis = await analyzeTrace(path, { timeline });
  const parts: Buffer[] = [];
  await writeSpeedscope(analysis, timeline, (chunk) => void parts.push(Buffer.from(chunk)), 'pyflame test');
  // A counts-only trace weighs calls instead of time.
  const counts =
    analysis.threads.length === 0 && analysis.callCounts !== undefined
      ? [...analysis.callCounts.byFunction.values()].flat().reduce((a, b) => a + b, 0)
      : undefined;
  return {
    text: Buffer.concat(parts).toString(),
    selfTotal: counts ?? analysis.functions.reduce((sum, f) => sum + f.selfNs, 0),
  };
}

const inputs = [
  ...readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => join(SAMPLES, name)),
  ...[
    'damage/junk-lines.txt',
    'damage/out-of-order.txt',
    'damage/tracer-messages.txt',
    'damage/hostile-names.txt',
    'formats/pyflame/all-probes.txt',
  ].map((name) => join(FIXTURES, name)),
];

describe('speedscope files', () => {
  for (const path of inputs) {
    it(`valid against the speedscope package's schema, importable, deterministic: ${path.slice(path.lastIndexOf('/') + 1)}`, async () => {
      const { text, selfTotal } = await speedscopeOf(path);
      const file = JSON.parse(text) as SpeedscopeFile;
      assertSchemaValid(file);
      assertImportable(file, path);
      const sampled = file.profiles.find((p) => p.type === 'sampled') as { weights: number[] };
      assert.equal(
        sampled.weights.reduce((a, b) => a + b, 0),
        selfTotal,
        'all threads by self time (or calls): nothing lost',
      );
      const names = file.shared.frames.map((f) => `${f.name}\0${f.file}\0${f.line}`);
      assert.equal(new Set(names).size, names.length, 'frames deduplicated');
      assert.equal((await speedscopeOf(path)).text, text, 'same bytes twice');
    });
  }

  it('a trace that began inside calls opens them at its start, balanced', async () => {
    const path = writeScratch(
      scratch,
      [
        '10\t1\t1\tfunction__entry\t/t/m.py\ta\t5',
        '20\t1\t1\tfunction__return\t/t/m.py\ta\t6',
        '30\t1\t1\tfunction__return\t/t/m.py\tinner\t9',
        '40\t1\t1\tfunction__return\t/t/m.py\touter\t19',
      ].join('\n') + '\n',
      'partial.txt',
    );
    const file = JSON.parse((await speedscopeOf(path)).text) as SpeedscopeFile;
    const profile = file.profiles[0] as { events: Array<{ type: string; frame: number; at: number }> };
    const name = (i: number) => file.shared.frames[i].name;
    assert.deepEqual(
      profile.events.map((e) => `${e.type} ${name(e.frame)} ${e.at}`),
      ['O outer 0', 'O inner 0', 'O a 0', 'C a 10', 'C inner 20', 'C outer 30'],
    );
  });
});

describe('folded stacks', () => {
  it('golden for a sample, merged and per thread', async () => {
    const analysis = await analyzeTrace(join(SAMPLES, 'threads.pyflame.txt'));
    assertGolden('folded/threads.folded', foldedText(analysis));
    assertGolden('folded/threads.per-thread.calls.folded', foldedText(analysis, { perThread: true, weight: 'calls' }));
  });

  it('self-ns counts equal the stacks of an independent replay of any balanced trace', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, async (events) => {
        const path = writeScratch(scratch, toPyflameText(events));
        // Reference: replay each thread with a plain stack of labels.
        const expected = new Map<string, number>();
        const stacks = new Map<number, Array<{ label: string; start: bigint; child: bigint }>>();
        for (const e of events) {
          if (e.file === undefined) continue;
          const stack = stacks.get(e.tid) ?? [];
          stacks.set(e.tid, stack);
          if (e.probe === 'function__entry')
            stack.push({ label: `${e.func!} (${e.file}:${e.line!})`.replace(/;/g, ':'), start: e.ts, child: 0n });
          else {
            const top = stack.pop()!;
            const duration = e.ts - top.start;
            if (stack.length > 0) stack[stack.length - 1].child += duration;
            const key = [...stack.map((f) => f.label), top.label].join(';');
            expected.set(key, (expected.get(key) ?? 0) + Number(duration - top.child));
          }
        }
        const lines = [...expected]
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${k} ${v}`)
          .sort();
        const actual = foldedText(await analyzeTrace(path, { parseThread: false }), { weight: 'self-ns' });
        assert.equal(actual, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
      }),
      { numRuns: 40 },
    );
  });

  it('names cannot break the format: ; and control characters are replaced', async () => {
    const path = writeScratch(
      scratch,
      ['1\t1\t1\tfunction__entry\t/t/a;b.py\tf;g\x07\t1', '5\t1\t1\tfunction__return\t/t/a;b.py\tf;g\x07\t2'].join(
        '\n',
      ) + '\n',
      'names.txt',
    );
    assert.equal(foldedText(await analyzeTrace(path)), '', 'self-us: a stack under 0.5 µs is left out');
    assert.equal(foldedText(await analyzeTrace(path), { weight: 'self-ns' }), 'f:g  (/t/a:b.py:1) 4\n');
  });
});

describe('pyflame analyze --folded / --speedscope (the real binary)', () => {
  it('writes out/<name>.folded and a gzip speedscope file', async () => {
    const dir = scratchDir('flame-cli');
    const result = await runCli(
      ['analyze', join(SAMPLES, 'recursion.pyflame.txt'), '--folded', '--speedscope=out/r.speedscope.json.gz'],
      { cwd: dir },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /wrote out\/recursion\.pyflame\.folded\npyflame: wrote out\/r\.speedscope\.json\.gz\n/);
    const folded = readFileSync(join(dir, 'out/recursion.pyflame.folded'), 'utf8');
    assert.match(folded, /^<module> \(.*recursion\.py:0\)(;\S.*)? \d+$/m);
    const file = JSON.parse(
      gunzipSync(readFileSync(join(dir, 'out/r.speedscope.json.gz'))).toString('utf8'),
    ) as SpeedscopeFile;
    assertImportable(file, 'cli');
  });

  it('--folded - writes only the stacks to stdout', async () => {
    const result = await runCli([
      'analyze',
      join(SAMPLES, 'recursion.pyflame.txt'),
      '--folded',
      '-',
      '--weight',
      'calls',
    ]);
    assert.equal(result.code, 0);
    assert.ok(
      result.stdout
        .split('\n')
        .filter(Boolean)
        .every((line) => / \d+$/.test(line)),
    );
  });
});
