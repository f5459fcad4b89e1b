import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CalibrationPlan, costLine, estimate, unwrittenByPhase } from '../src/record/calibrate.js';

// The calibration's arithmetic (src/record/calibrate.ts; docs/recording.md §7) on made-up times.

const N = 1000;
const N_GC = 100;
const plan: CalibrationPlan = {
  iterations: N,
  gcIterations: N_GC,
  repetitions: 1,
  runs: 2,
  phases: ['empty', 'calls', 'ccalls', 'gc'],
  lineKind: undefined,
  cCallsUnwritten: true,
  lineInsideLeaf: false,
  imports: true,
  audit: false,
};

/** A pair whose traced phases cost: entry+return `p` per call, `u` per C call, `g` per gc firing. */
function pair(p: number, u: number, g: number, gcUnwrittenPerCollect: number) {
  const untraced = { empty: [10 * N], calls: [60 * N], ccalls: [30 * N], gc: [5000 * N_GC] };
  const extra = 100 * N; // the empty loop traced costs something too (the loop's own firings)
  const iterations = (n: number) => 50 + n;
  return {
    untraced,
    traced: {
      empty: [10 * N + extra],
      calls: [60 * N + extra + p * N],
      ccalls: [30 * N + extra + 2 * u * N],
      gc: [5000 * N_GC + (extra * N_GC) / N + 2 * g * N_GC + gcUnwrittenPerCollect * u * N_GC],
    },
    unwrittenByPhase: { gc: gcUnwrittenPerCollect * iterations(N_GC), ccalls: 2 * iterations(N) },
  };
}

describe('calibration arithmetic', () => {
  it('per-firing costs, the spread widened to the floor, BEFORE from the leaf', () => {
    // Two runs: P 800 and 1400 (per firing 400 and 700: ERR 1.5 × the range, above the floor), u 150 both (no spread: the floor), g 2000.
    const pairs = [pair(800, 150, 2000, 8), pair(1400, 150, 2000, 8)];
    // The leaf's recorded time: its untraced cost (50 per call) + I = 400 inside the frame.
    const calibration = estimate(plan, pairs, 50 + 400, 1234, '3.11.7');
    const near = (actual: number | undefined, expected: number) =>
      assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6, `${actual} ~ ${expected}`);
    const entry = calibration.costs.get('entry')!;
    const ret = calibration.costs.get('return')!;
    near(entry.cost, 550);
    near(entry.err, 1.5 * 300);
    near(entry.before, (1100 - 400) / 2);
    near(ret.before, 400 / 2);
    const unwritten = calibration.costs.get('unwritten')!;
    near(unwritten.cost, 150);
    near(unwritten.err, 0.35 * 150);
    // gc: the recorder's own C calls in its callbacks (u=8 a collect) are not gc's cost.
    near(calibration.costs.get('gc-start')?.cost, 2000);
    near(calibration.costs.get('gc-done')?.err, 0.5 * 2000);
    near(calibration.costs.get('import-start')?.err, 550);
    assert.equal(calibration.costs.has('line'), false);
    assert.equal(
      costLine(calibration, 'inprocess'),
      '# pyflame-cost v1 recorder=inprocess python=3.11.7 runs=2 calibration-ms=1234 entry=550,450,350 return=550,450,200 unwritten=150,52.5,150 gc-start=2000,1000,1000 gc-done=2000,1000,1000 import-start=550,550,350 import-done=550,550,200 method=loops,import-audit-as-entry-return',
    );
  });

  it("unwritten firings counted (u=N) in the calls loop beyond the empty loop's are not entry+return's cost", () => {
    // Each call: P = 1000, plus 2 counted unwritten firings at 150.
    const withHook = pair(1000 + 2 * 150, 150, 2000, 0);
    const pairs = [{ ...withHook, unwrittenByPhase: { ...withHook.unwrittenByPhase, calls: 2 * (50 + N) } }];
    const calibration = estimate(plan, pairs, undefined, 1, '3.11.7');
    assert.ok(Math.abs(calibration.costs.get('entry')!.cost - 500) < 1e-6);
  });

  it('noise at or below zero is stated as 1 ns with the miss as ERR; BEFORE stays in 0..COST', () => {
    const calibration = estimate(plan, [pair(-10, 150, 2000, 0), pair(-30, 150, 2000, 0)], 1e9, 1, '3.11.7');
    const entry = calibration.costs.get('entry')!;
    assert.equal(entry.cost, 0.5);
    assert.ok(entry.err >= 10);
    assert.ok(entry.before >= 0 && entry.before <= entry.cost);
  });

  it('u=N by phase, and the text without them', () => {
    const text = [
      '# pyflame-trace v1',
      '1\t1\t1\tfunction__entry\t/c.py\tpyflame_phase_gc\t60\tu=3',
      '2\t1\t1\tgc__start\t0\tu=4',
      '3\t1\t1\tfunction__return\t/c.py\tpyflame_phase_gc\t63\tu=5',
      '4\t1\t1\tfunction__entry\t/c.py\tother\t1\tu=7',
      '',
    ].join('\n');
    const { byPhase, stripped } = unwrittenByPhase(text);
    assert.deepEqual(byPhase, { gc: 9 });
    assert.ok(!stripped.includes('u='));
  });
});
