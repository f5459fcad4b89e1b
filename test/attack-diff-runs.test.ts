import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import AjvModule from 'ajv';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { compareRuns } from '../src/diff/compare.js';
import { compareRunSets, scaleRun } from '../src/diff/compare-sets.js';
import { diffToJson } from '../src/diff/render/json.js';
import { renderDiffMarkdown } from '../src/diff/render/markdown.js';
import { renderDiffReport } from '../src/diff/render/terminal.js';
import { evaluateGate, parseRule, type Gate } from '../src/diff/rules.js';
import { combineRuns, median } from '../src/diff/run-set.js';
import { nondeterministicCounts } from '../src/diff/run-notes.js';
import type { ProfileFunction, RunProfile } from '../src/diff/run-profile.js';

const ROOT = join(import.meta.dirname, '..', '..');
const Ajv = AjvModule as unknown as typeof AjvModule.default;
const validateV2 = new Ajv({ allErrors: true }).compile(
  JSON.parse(readFileSync(join(ROOT, 'schema/diff-v2.schema.json'), 'utf8')) as object,
);

/** A run of main() calling work() and other(): ms of self time each, calls each. */
function run(workMs: number, otherMs = 100, workCalls = 10, source = 'run'): RunProfile {
  const f = (name: string, calls: number, selfNs: number, totalNs: number, line: number): ProfileFunction => ({
    key: `app.py\0${name}`,
    name,
    file: 'app.py',
    line,
    calls,
    selfNs,
    totalNs,
    p95Ns: null,
  });
  const work = workMs * 1e6;
  const other = otherMs * 1e6;
  const main = 1e6;
  return {
    source,
    format: 'pyflame',
    durationNs: work + other + main,
    events: 100,
    droppedEvents: 0,
    tracedNs: work + other + main,
    functions: [
      f('main', 1, main, work + other + main, 1),
      f('work', workCalls, work, work, 5),
      f('other', 5, other, other, 9),
    ],
    callTree: {
      parent: [-1, 0, 0],
      fn: [0, 1, 2],
      calls: [1, workCalls, 5],
      selfNs: [main, work, other],
      totalNs: [work + other + main, work, other],
    },
    gc: [],
    imports: [],
    warnings: [],
  };
}

const gate = (rules: string[], minDeltaNs = 1e6): Gate => ({
  rules: rules.map(parseRule),
  minDeltaNs,
  minGcDeltaNs: 50e3,
});

/** What fired, as `rule name`, from several runs per side. */
function fired(base: RunProfile[], head: RunProfile[], rules: string[], normalize = false): string[] {
  const diff = compareRunSets(base, head, { normalize });
  return evaluateGate(diff, gate(rules)).map((f) => {
    const name =
      f.scope === 'function' ? diff.functions[f.index].name : f.scope === 'path' ? diff.paths![f.index].name : f.scope;
    return `${f.rule} ${name}`;
  });
}

describe('diff, several runs per side: medians and per-run values', () => {
  it('each item is the median of its runs, every run value kept; an item a run lacks is 0 there', () => {
    const lacking = { ...run(50), functions: run(50).functions.filter((f) => f.name !== 'other'), callTree: undefined };
    const set = combineRuns([run(40), run(60), run(50)]);
    const work = set.median.functions.findIndex((f) => f.name === 'work');
    assert.equal(set.median.functions[work].selfNs, 50e6);
    assert.deepEqual(set.functions.selfNs[work], [40e6, 60e6, 50e6]);
    assert.equal(median([1, 2, 3, 10]), 3, 'even: the mean of the middle two, rounded');
    const withGap = combineRuns([run(40), lacking]);
    const other = withGap.median.functions.findIndex((f) => f.name === 'other');
    assert.deepEqual(withGap.functions.selfNs[other], [100e6, 0]);
    assert.equal(withGap.median.callTree, undefined, 'a run without call paths: none compared');
    assert.equal(withGap.median.source, '2 runs: run, run');
  });

  it('the call tree of the medians has every path of any run, callers first', () => {
    const set = combineRuns([run(40), run(60), run(50)]);
    const tree = set.median.callTree!;
    assert.deepEqual(tree.parent, [-1, 0, 0]);
    assert.deepEqual(
      tree.fn.map((i) => set.median.functions[i].name),
      ['main', 'other', 'work'],
      'siblings in key order',
    );
    assert.deepEqual(set.paths!.selfNs[2], [40e6, 60e6, 50e6]);
  });
});

describe('diff, several runs per side: time rules fire only beyond the runs\u2019 noise', () => {
  const base = [run(100), run(104), run(98)];
  it('a clear slowdown (ranges apart, medians further apart than either spread) fires, on the function and its path', () => {
    assert.deepEqual(fired(base, [run(120), run(123), run(119)], ['self>10%', 'path.self>10%']), [
      'self>10% work',
      'path.self>10% work',
    ]);
  });

  it('overlapping ranges do not fire, however far the medians moved', () => {
    assert.deepEqual(fired(base, [run(130), run(131), run(99)], ['self>10%']), []);
  });

  it('ranges apart by less than the spread the runs show do not fire', () => {
    // BASE spreads 30 ms (90..120), HEAD's median is 20 ms above BASE's.
    assert.deepEqual(fired([run(90), run(100), run(120)], [run(121), run(120.5), run(122)], ['self>10%']), []);
  });

  it('the rule threshold and the noise floor still apply to the medians', () => {
    assert.deepEqual(fired(base, [run(105), run(105.5), run(105.2)], ['self>10%']), [], 'a 5% change under a 10% rule');
    const small = [run(1), run(1.001), run(1.0005)];
    assert.deepEqual(fired(small, [run(1.5), run(1.501), run(1.5005)], ['self>10%']), [], 'under the 1 ms floor');
  });

  it('--normalize scales every run to BASE\u2019s median time in Python: a run 30% faster all over is not noise', () => {
    const noisy = [scaleRun(run(100), 0.7), run(100), scaleRun(run(100), 1.05)];
    const slower = [run(125), scaleRun(run(125), 0.75), scaleRun(run(125), 1.1)];
    assert.deepEqual(fired(noisy, slower, ['self>10%']), [], 'without --normalize the drift hides it');
    assert.deepEqual(fired(noisy, slower, ['self>10%'], true), ['self>10% work']);
    const unchanged = [scaleRun(run(100), 1.2), run(100), scaleRun(run(100), 0.8)];
    assert.deepEqual(fired(noisy, unchanged, ['self>5%', 'total>5%'], true), []);
  });
});

describe('diff, several runs per side: count rules stay exact', () => {
  it('a count the same in every run is judged exactly (one more call fires)', () => {
    assert.deepEqual(fired([run(100), run(100)], [run(100, 100, 11), run(100, 100, 11)], ['calls>0']), [
      'calls>0 work',
    ]);
  });

  it('a count that differs between runs of a side is reported as nondeterministic, and fires only when every HEAD run is beyond every BASE run', () => {
    const base = [run(100, 100, 10), run(100, 100, 11), run(100, 100, 10)];
    const overlapping = [run(100, 100, 11), run(100, 100, 12), run(100, 100, 11)];
    assert.deepEqual(fired(base, overlapping, ['calls>0']), [], 'HEAD 11 is no more than BASE 11');
    assert.deepEqual(fired(base, [run(100, 100, 12), run(100, 100, 13), run(100, 100, 12)], ['calls>0']), [
      'calls>0 work',
    ]);
    assert.deepEqual(fired(base, [run(100, 100, 9), run(100, 100, 8), run(100, 100, 9)], ['calls<0']), [
      'calls<0 work',
    ]);
    const diff = compareRunSets(base, overlapping);
    const counts = nondeterministicCounts(diff);
    assert.deepEqual(
      counts.map((c) => `${c.metric} ${c.spread.base.join(',')} | ${c.spread.head.join(',')}`),
      ['calls 10,11,10 | 11,12,11', 'path.calls 10,11,10 | 11,12,11'],
    );
    const g = gate(['calls>0']);
    const findings = evaluateGate(diff, g);
    const text = renderDiffReport(diff, g, findings, { top: 10, color: false, width: 200 });
    assert.match(text, /3 runs of BASE, 3 of HEAD: figures are medians/);
    assert.match(
      text,
      /Nondeterministic counts \(they differ between runs of a side\): 2: calls of work \(app\.py:5\): BASE 10, 11, 10 · HEAD 11, 12, 11/,
    );
    const markdown = renderDiffMarkdown(diff, g, findings, { top: 10 });
    assert.match(markdown, /\*\*Nondeterministic counts\*\* \(they differ between runs of a side\): 2: calls of work/);
    const json = diffToJson(diff, g, findings) as {
      schemaVersion: number;
      runs: { base: number; head: number };
      nondeterministicCounts: number;
      functions: { name: string; nondeterministic: boolean; calls: { runs: { base: unknown } } }[];
    };
    assert.ok(validateV2(json), JSON.stringify(validateV2.errors));
    assert.equal(json.schemaVersion, 2);
    assert.deepEqual([json.runs.base, json.runs.head], [3, 3]);
    assert.equal(json.nondeterministicCounts, 2);
    const work = json.functions.find((f) => f.name === 'work')!;
    assert.equal(work.nondeterministic, true);
    assert.deepEqual(work.calls.runs.base, { values: [10, 11, 10], min: 10, max: 11, spread: 1 });
  });

  it('every report of a several-run diff with stable counts says so', () => {
    const diff = compareRunSets([run(100), run(101)], [run(100), run(102), run(99)]);
    const text = renderDiffReport(diff, gate([]), [], { top: 10, color: false, width: 200 });
    assert.match(text, /2 runs of BASE, 3 of HEAD/);
    assert.match(text, /Every count is the same in every run of each side\./);
    assert.ok(validateV2(diffToJson(diff, gate([]), [])), JSON.stringify(validateV2.errors));
  });
});

describe('diff, several runs per side: properties', () => {
  const ms = fc.integer({ min: 1, max: 400 });
  const side = fc.array(fc.tuple(ms, fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 5 });
  const runsOf = (values: Array<[number, number]>, tag: string) =>
    values.map(([w, extraCalls], i) => run(w, 100, 10 + extraCalls, `${tag}${i}`));
  const rules = ['calls>0', 'calls<0', 'self>10%', 'self<-10%', 'total>5%', 'path.self>5%', 'traced>1%'];
  const verdict = (base: RunProfile[], head: RunProfile[], normalize: boolean) => {
    const diff = compareRunSets(base, head, { normalize });
    return {
      findings: evaluateGate(diff, gate(rules)).map((f) => ({ ...f })),
      functions: diff.functions,
      paths: diff.paths,
    };
  };

  it('permuting the runs within a side never changes the result', () => {
    fc.assert(
      fc.property(side, side, fc.boolean(), fc.nat(), (b, h, normalize, seed) => {
        const base = runsOf(b, 'b');
        const head = runsOf(h, 'h');
        const shuffle = <T>(items: T[]) => {
          const out = [...items];
          for (let i = out.length - 1, s = seed; i > 0; i--, s = Math.floor(s / 7) + i) {
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j], out[i]];
          }
          return out;
        };
        assert.deepEqual(verdict(shuffle(base), shuffle(head), normalize), verdict(base, head, normalize));
      }),
    );
  });

  it('one run per side is exactly the diff of two runs', () => {
    fc.assert(
      fc.property(ms, ms, fc.boolean(), (b, h, normalize) => {
        const base = run(b);
        const head = run(h, 100, 12);
        const several = compareRunSets([base], [head], { normalize });
        assert.deepEqual(several, compareRuns(base, head, { normalize }));
        assert.equal(several.samples, undefined);
      }),
    );
  });

  it('a change of the medians smaller than a side\u2019s spread never fires a time rule', () => {
    const several = fc.array(fc.tuple(ms, fc.integer({ min: 0, max: 3 })), { minLength: 2, maxLength: 5 });
    fc.assert(
      fc.property(several, side, (b, h) => {
        const base = runsOf(b, 'b');
        const head = runsOf(h, 'h');
        const diff = compareRunSets(base, head);
        const works = diff.samples!.functions[diff.functions.findIndex((f) => f.name === 'work')].selfNs;
        const spread = Math.max(
          Math.max(...works.base) - Math.min(...works.base),
          Math.max(...works.head) - Math.min(...works.head),
        );
        const change = Math.abs(median(works.head) - median(works.base));
        if (change >= spread) return;
        const timeFindings = evaluateGate(diff, gate(['self>0', 'self<0', 'path.self>0'])).filter(
          (f) => f.scope !== 'run' && diff.functions[f.index]?.name === 'work',
        );
        assert.deepEqual(timeFindings, []);
      }),
    );
  });
});
