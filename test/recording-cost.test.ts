import './helpers/fast-check-setup.js';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeTrace, type AnalyzeOptions } from '../src/analyze/analyze.js';
import type { Analysis } from '../src/analyze/analysis.js';
import { analysisToJson } from '../src/export/analysis-json.js';
import { recordingCostLine } from '../src/export/recording-cost-text.js';
import { convertTrace } from '../src/convert.js';
import type { TextOutput } from '../src/io/output.js';
import { scratchDir } from './helpers/scratch.js';

// Issue 13 §2: a trace that states its recording's cost (`# pyflame-cost v1`) is analysed with
// that cost taken out of every time, with the times as recorded and their uncertainty beside.

const dir = scratchDir('recording-cost');
let n = 0;
const HEADER = '# pyflame-trace v1 clock=boot_ns python=/usr/bin/python3.11';

async function analyzeText(text: string, options: AnalyzeOptions = {}): Promise<Analysis> {
  const path = join(dir, `t${n++}.txt`);
  writeFileSync(path, text);
  return analyzeTrace(path, { parseThread: false, ...options });
}
const ev = (ts: number, probe: string, func: string, line: number, tid = 1, pid = 100) =>
  `${ts}\t${pid}\t${tid}\tfunction__${probe}\t/w/app.py\t${func}\t${line}`;
const byName = (analysis: Analysis) => Object.fromEntries(analysis.functions.map((f) => [f.name, f]));

const NESTED = [
  ev(1_000_000, 'entry', 'main', 1),
  ev(1_001_000, 'entry', 'f', 5),
  ev(1_002_000, 'return', 'f', 6),
  ev(1_003_000, 'return', 'main', 3),
];

describe('a recording that states its cost', () => {
  it('takes each firing out: a call loses the after-part of its entry, everything inside, and the before-part of its return', async () => {
    const cost = '# pyflame-cost v1 recorder=test entry=100,10,50 return=100,10,50';
    const analysis = await analyzeText([HEADER, cost, ...NESTED, ''].join('\n'));
    const { main, f } = byName(analysis);
    // f: 1000 recorded, minus 50 (its entry's after-part) and 50 (its return's before-part).
    assert.deepEqual(
      [f.totalNs, f.selfNs, f.raw, f.error],
      [900, 900, { selfNs: 1000, totalNs: 1000 }, { selfNs: 10, totalNs: 10 }],
    );
    // main: 3000 minus 50 + f's two firings (200) + 50.
    assert.deepEqual([main.totalNs, main.selfNs, main.raw], [2700, 1800, { selfNs: 2000, totalNs: 3000 }]);
    assert.deepEqual([main.error?.totalNs, main.error?.selfNs], [30, 20]);
    assert.equal(analysis.durationNs, 2700);
    assert.deepEqual(analysis.recordingCost, {
      stated: { recorder: 'test', entry: '100,10,50', return: '100,10,50' },
      durationNsRaw: 3000,
      durationNsError: 30,
    });
    // The first event keeps its recorded time: the trace starts where it did.
    assert.equal(analysis.startAbsoluteNs, '1000000');
    const json = analysisToJson(analysis) as { trace: Record<string, unknown>; functions: Record<string, unknown>[] };
    assert.deepEqual(
      [json.trace.durationNs, json.trace.durationNsRaw, json.trace.durationNsError, json.trace.recordingCost],
      [2700, 3000, 30, { stated: analysis.recordingCost!.stated, removedNs: 300 }],
    );
    const fJson = json.functions.find((entry) => entry.name === 'f')!;
    assert.deepEqual(
      [fJson.selfNs, fJson.selfNsRaw, fJson.selfNsError, fJson.totalNs, fJson.totalNsRaw, fJson.totalNsError],
      [900, 1000, 10, 900, 1000, 10],
    );
  });

  it('--overhead 0 shows the times as recorded; --overhead NS keeps the uniform estimate, with no stated uncertainty', async () => {
    const text = [HEADER, '# pyflame-cost v1 entry=100,10,50 return=100,10,50', ...NESTED, ''].join('\n');
    const raw = await analyzeText(text, { overheadNs: 0 });
    assert.equal(raw.recordingCost, undefined);
    assert.deepEqual([byName(raw).main.totalNs, byName(raw).f.totalNs, raw.durationNs], [3000, 1000, 3000]);
    const estimated = await analyzeText(text, { overheadNs: 10 });
    assert.equal(estimated.recordingCost, undefined);
    // The old model: f loses its own return (10); main loses f's entry and return and its own return (30).
    assert.deepEqual([byName(estimated).f.totalNs, byName(estimated).main.totalNs], [990, 2970]);
    const json = analysisToJson(estimated) as { trace: Record<string, unknown>; functions: Record<string, unknown>[] };
    assert.deepEqual(
      [json.trace.durationNsRaw, json.trace.durationNsError, json.trace.recordingCost],
      [null, null, null],
    );
    assert.deepEqual([json.functions[0].selfNsRaw, json.functions[0].totalNsError], [null, null]);
    // Nothing stated, nothing estimated: the raw figures are the figures, exactly (error 0).
    const plain = analysisToJson(await analyzeText([HEADER, ...NESTED, ''].join('\n'))) as {
      functions: Record<string, unknown>[];
    };
    const main = plain.functions.find((entry) => entry.name === 'main')!;
    assert.deepEqual([main.totalNs, main.totalNsRaw, main.totalNsError], [3000, 3000, 0]);
  });

  it('the report says what was taken out, and on 3.8-3.11 in-process what cannot be', async () => {
    const stated = (python: string) =>
      analyzeText(
        [
          HEADER,
          `# pyflame-cost v1 recorder=inprocess python=${python} entry=100,10,50 return=100,10,50`,
          ...NESTED,
          '',
        ].join('\n'),
      );
    const line312 = recordingCostLine(await stated('3.12.1'))!;
    assert.match(
      line312,
      /^300 ns of 3\.00 µs taken out \(the inprocess recorder's calibration of its probes' cost\); the run took 2\.70 µs ± 30 ns/,
    );
    assert.doesNotMatch(line312, /3\.8-3\.11/);
    assert.match(
      recordingCostLine(await stated('3.11.7'))!,
      /On CPython 3\.8-3\.11 the in-process recorder's profiler hook also slows/,
    );
    assert.equal(recordingCostLine(await analyzeText([HEADER, ...NESTED, ''].join('\n'))), undefined);
  });

  it('a cost line it cannot read is a warning naming its line, and the times stay as recorded', async () => {
    for (const bad of ['entry=100,10', 'entry=100,10,150', 'entry=-1,0,0', 'entry=x,1,1', 'recorder=test']) {
      const analysis = await analyzeText([HEADER, `# pyflame-cost v1 ${bad}`, ...NESTED, ''].join('\n'));
      const warning = analysis.warnings.find((w) => w.code === 'bad-cost-line');
      assert.ok(warning, bad);
      assert.deepEqual(warning.lines, [2], bad);
      assert.equal(analysis.recordingCost, undefined);
      assert.equal(byName(analysis).main.totalNs, 3000);
    }
  });

  it("counts unwritten firings (3.11's line probe) before the event that carried them", async () => {
    const csv = [
      '# pyflame-cost v1 entry=100,0,0 return=100,0,100 unwritten=40,4,0',
      'ts_ns,pid,tid,event,file,function,line,value,name,source_line',
      '1000000,1,1,entry,m.py,main,1,,,',
      '1000500,1,1,unwritten,,,,5,,',
      '1000500,1,1,entry,m.py,f,5,,,',
      '1001500,1,1,unwritten,,,,10,,',
      '1001500,1,1,return,m.py,f,6,,,',
      '1003000,1,1,return,m.py,main,3,,,',
      '',
    ].join('\n');
    const analysis = await analyzeText(csv);
    const { main, f } = byName(analysis);
    // f: 1000 recorded; its entry's 100 is after its time, then 10 line firings (400) and its
    // return's 100 before its time: 1000 - 600.
    assert.equal(f.totalNs, 400);
    assert.equal(f.error?.totalNs, 40);
    // main: 3000 - (main's entry 100 + 5 lines 200 + f's 600 + main's return 100) = 2000.
    assert.equal(main.totalNs, 2000);
    assert.equal(f.calls + main.calls, 2, 'unwritten firings are no calls');
  });

  it('unwritten firings counted on a sched-out stay in the call they fired in', async () => {
    const analysis = await analyzeText(
      [
        HEADER,
        '# pyflame-cost v1 recorder=bpftrace entry=1000,0,0 return=1000,0,0 unwritten=1000,0,0',
        ev(1_000_000, 'entry', 'main', 1),
        ev(1_001_000, 'entry', 'a', 2),
        '1050000\t100\t1\tsched-out\t0\tu=30',
        '1060000\t100\t1\tsched-in',
        '1090000\t100\t1\tsched-out\t0\tu=20',
        '1095000\t100\t1\tsched-in',
        ev(1_100_000, 'return', 'a', 3),
        ev(1_101_000, 'entry', 'b', 4),
        ev(1_201_000, 'return', 'b', 5),
        ev(1_300_000, 'return', 'main', 6),
        '',
      ].join('\n'),
    );
    const { a, b } = byName(analysis);
    // a: 99 µs recorded, minus its entry (1 µs, after its time) and the 50 line firings inside it.
    assert.equal(a.totalNs, 99_000 - 1_000 - 50_000);
    assert.equal(b.totalNs, 100_000 - 1_000);
    assert.equal(a.offCpuNs, 15_000, 'the time off the CPU is not recording cost');
  });

  it('one account per process: a thread is slowed by its process’s other threads, not by another process', async () => {
    const cost = '# pyflame-cost v1 entry=100,0,0 return=100,0,100';
    const analysis = await analyzeText(
      [
        HEADER,
        cost,
        ev(1_000, 'entry', 'a', 1, 1, 100),
        ev(1_500, 'entry', 'c', 20, 1, 200), // another process: its own account
        ev(2_000, 'entry', 'b', 10, 2, 100), // the other thread's firings delay a
        ev(3_000, 'return', 'b', 11, 2, 100),
        ev(3_500, 'return', 'c', 21, 1, 200),
        ev(4_000, 'return', 'a', 2, 1, 100),
        '',
      ].join('\n'),
    );
    const { a, b, c } = byName(analysis);
    assert.equal(b.totalNs, 1000 - 100 - 100);
    assert.equal(a.totalNs, 3000 - 100 - 200 - 100);
    assert.equal(c.totalNs, 2000 - 100 - 100);
  });
});

/** A call tree drawn as a list of steps: open a call of function `fn`, or close the innermost. */
const stepsArbitrary = fc.array(
  fc.record({ open: fc.boolean(), fn: fc.integer({ min: 0, max: 4 }), gap: fc.integer({ min: 0, max: 5000 }) }),
  { minLength: 1, maxLength: 60 },
);
const costArbitrary = fc.record({
  entry: fc.integer({ min: 0, max: 3000 }),
  entryBefore: fc.double({ min: 0, max: 1, noNaN: true }),
  ret: fc.integer({ min: 0, max: 3000 }),
  retBefore: fc.double({ min: 0, max: 1, noNaN: true }),
  unwritten: fc.integer({ min: 0, max: 500 }),
  err: fc.integer({ min: 0, max: 100 }),
});

/**
 * The program's true events, and the trace a recorder with exactly the stated cost writes of them:
 * each firing takes `before` ns before its timestamp and the rest after, and the unwritten firings
 * before an event take all of theirs before it.
 */
function recordProgram(
  steps: { open: boolean; fn: number; gap: number }[],
  c: { entry: number; entryBefore: number; ret: number; retBefore: number; unwritten: number; err: number },
  unwrittenAt: (i: number) => number,
) {
  const entryBefore = Math.round(c.entry * c.entryBefore);
  const retBefore = Math.round(c.ret * c.retBefore);
  const open: number[] = [];
  const trueLines: string[] = [];
  const recorded: string[] = [];
  let trueTime = 1_000_000;
  let real = 1_000_000;
  let i = 0;
  const emit = (probe: 'entry' | 'return', fn: number, gap: number) => {
    trueTime += gap;
    real += gap;
    const u = unwrittenAt(i++);
    real += u * c.unwritten;
    const before = probe === 'entry' ? entryBefore : retBefore;
    real += before;
    const line = `\t1\t1\tfunction__${probe}\t/w/p.py\tf${fn}\t${fn * 10 + 1}`;
    trueLines.push(`${trueTime}${line}`);
    recorded.push(`${real}${line}${u > 0 ? `\tu=${u}` : ''}`);
    real += (probe === 'entry' ? c.entry : c.ret) - before;
  };
  for (const step of steps) {
    if (step.open) {
      open.push(step.fn);
      emit('entry', step.fn, step.gap);
    } else if (open.length > 0) emit('return', open.pop()!, step.gap);
  }
  while (open.length > 0) emit('return', open.pop()!, 7);
  const costLine = `# pyflame-cost v1 entry=${c.entry},${c.err},${entryBefore} return=${c.ret},${c.err},${retBefore} unwritten=${c.unwritten},${c.err},0`;
  return {
    trueText: [HEADER, ...trueLines, ''].join('\n'),
    recordedText: [HEADER, costLine, ...recorded, ''].join('\n'),
    costLine,
  };
}

const figures = (analysis: Analysis) =>
  analysis.functions
    .map((f) => ({ name: f.name, calls: f.calls, selfNs: f.selfNs, totalNs: f.totalNs, p50: f.durations?.p50Ns }))
    .sort((a, b) => a.name.localeCompare(b.name));

describe('recording cost through pyflame convert', () => {
  it('the CSV event log carries the cost line, and analyses to the same corrected figures', async () => {
    const text = [HEADER, '# pyflame-cost v1 recorder=test entry=100,10,50 return=100,10,50', ...NESTED, ''].join('\n');
    const path = join(dir, `convert${n++}.txt`);
    writeFileSync(path, text);
    const chunks: Buffer[] = [];
    const output = {
      write: (chunk: string | Uint8Array) => void chunks.push(Buffer.from(chunk)),
      drain: async () => {},
    };
    await convertTrace(path, output as unknown as TextOutput, { to: 'csv' });
    const csv = Buffer.concat(chunks).toString();
    assert.equal(csv.split('\n')[0], '# pyflame-cost v1 recorder=test entry=100,10,50 return=100,10,50');
    const fromCsv = await analyzeText(csv);
    assert.deepEqual(fromCsv.warnings, [], 'the cost line is no junk to the CSV reader');
    assert.deepEqual(figures(fromCsv), figures(await analyzeText(text)));
    assert.deepEqual(fromCsv.recordingCost?.durationNsRaw, 3000);
  });
});

describe('recording cost: properties', () => {
  it('a recording with exactly the stated cost (unwritten firings included) analyses to the program’s true times', async () => {
    await fc.assert(
      fc.asyncProperty(
        stepsArbitrary,
        costArbitrary,
        fc.array(fc.nat(6), { minLength: 1 }),
        async (steps, c, counts) => {
          const { trueText, recordedText } = recordProgram(steps, c, (i) => counts[i % counts.length]);
          const truth = await analyzeText(trueText);
          const corrected = await analyzeText(recordedText);
          assert.deepEqual(figures(corrected), figures(truth));
          assert.equal(corrected.durationNs, truth.durationNs);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the raw figures are --overhead 0’s, the corrected never exceed them, and the errors are not negative', async () => {
    await fc.assert(
      fc.asyncProperty(stepsArbitrary, costArbitrary, async (steps, c) => {
        const { recordedText } = recordProgram(steps, c, () => 0);
        const corrected = await analyzeText(recordedText);
        const raw = await analyzeText(recordedText, { overheadNs: 0 });
        const rawByName = byName(raw);
        for (const f of corrected.functions) {
          const r = rawByName[f.name];
          assert.deepEqual(f.raw, { selfNs: r.selfNs, totalNs: r.totalNs });
          assert.equal(f.calls, r.calls, 'counts are exact either way');
          assert.ok(f.totalNs <= r.totalNs && f.totalNs >= 0, `${f.name}: ${f.totalNs} of ${r.totalNs}`);
          assert.ok(f.error!.selfNs >= 0 && f.error!.totalNs >= 0);
        }
        assert.ok(corrected.durationNs <= raw.durationNs);
        assert.equal(corrected.recordingCost?.durationNsRaw, raw.durationNs);
      }),
      { numRuns: 60 },
    );
  });
});
