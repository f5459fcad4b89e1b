import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareRuns } from '../src/diff/compare.js';
import { defaultMinDelta, evaluateGate, parseRule, RuleError, type Gate } from '../src/diff/rules.js';
import type { ProfileFunction, RunProfile } from '../src/diff/run-profile.js';

describe('--fail-on rules: parsing', () => {
  const valid: Array<[string, { metric: string; op: string; threshold: number; percent: boolean }]> = [
    ['calls>0', { metric: 'calls', op: '>', threshold: 0, percent: false }],
    ['self>10%', { metric: 'self', op: '>', threshold: 10, percent: true }],
    ['total>+5ms', { metric: 'total', op: '>', threshold: 5e6, percent: false }],
    ['gc.p95>20%', { metric: 'gc.p95', op: '>', threshold: 20, percent: true }],
    ['import>+20ms', { metric: 'import', op: '>', threshold: 20e6, percent: false }],
    ['p95 >= 1.5s', { metric: 'p95', op: '>=', threshold: 1.5e9, percent: false }],
    ['self<-10%', { metric: 'self', op: '<', threshold: -10, percent: true }],
    ['path.self>250us', { metric: 'path.self', op: '>', threshold: 250e3, percent: false }],
    ['path.self>250µs', { metric: 'path.self', op: '>', threshold: 250e3, percent: false }],
    ['gc.count>=2', { metric: 'gc.count', op: '>=', threshold: 2, percent: false }],
    ['import.self<=.5ms', { metric: 'import.self', op: '<=', threshold: 0.5e6, percent: false }],
    ['traced>5%', { metric: 'traced', op: '>', threshold: 5, percent: true }],
    ['duration>+100ns', { metric: 'duration', op: '>', threshold: 100, percent: false }],
    ['SELF>10%', { metric: 'self', op: '>', threshold: 10, percent: true }],
    ['self>0', { metric: 'self', op: '>', threshold: 0, percent: false }],
  ];
  for (const [text, expected] of valid) {
    it(`reads ${text}`, () => {
      const rule = parseRule(text);
      assert.deepEqual(
        { metric: rule.metric, op: rule.op, threshold: rule.threshold, percent: rule.percent },
        expected,
      );
      assert.equal(rule.text, text);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ['slef>10%', /unknown metric "slef" \(did you mean self\?\)/],
    ['cpu>10%', /unknown metric "cpu"; metrics: calls, self, total/],
    ['self10%', /no comparison/],
    ['self=10%', /no comparison/],
    ['self>>10%', /">>" is not a comparison/],
    ['self>5', /self is a time; give its value a unit/],
    ['total>+5 parsecs', /unknown unit "parsecs"/],
    ['calls>5ms', /calls counts, so its value is a number or a percentage/],
    ['gc.count>1s', /gc\.count counts/],
    ['', /expected METRIC OP VALUE|no comparison/],
    ['self>', /expected METRIC OP VALUE/],
    ['self>ten%', /expected METRIC OP VALUE/],
    ['self>5min', /unknown unit "min"; times take ns, us, ms or s/],
    ['duration>1h', /unknown unit "h"/],
    ['calls>>0', /">>" is not a comparison; use >, >=, < or <=/],
    ['self=>10%', /"=>" is not a comparison/],
  ];
  for (const [text, message] of invalid) {
    it(`refuses ${JSON.stringify(text)} saying why`, () => {
      assert.throws(
        () => parseRule(text),
        (error: unknown) =>
          error instanceof RuleError && message.test(error.message) && error.message.includes(`"${text}"`),
      );
    });
  }
});

function fn(name: string, calls: number, selfNs: number, totalNs = selfNs, file = 'app.py'): ProfileFunction {
  return { key: `${file}\0${name}`, name, file, line: 1, calls, selfNs, totalNs, p95Ns: null };
}

function run(functions: ProfileFunction[], extra: Partial<RunProfile> = {}): RunProfile {
  return {
    source: 'x',
    format: 'pyflame',
    durationNs: 1e9,
    events: 1,
    droppedEvents: 0,
    tracedNs: functions.reduce((sum, f) => sum + f.selfNs, 0),
    functions,
    callTree: undefined,
    gc: [],
    imports: [],
    warnings: [],
    ...extra,
  };
}

const gate = (rules: string[], minDeltaNs = 1e6, minGcDeltaNs = 50e3): Gate => ({
  rules: rules.map(parseRule),
  minDeltaNs,
  minGcDeltaNs,
});
const fired = (base: RunProfile, head: RunProfile, g: Gate) =>
  evaluateGate(compareRuns(base, head), g).map(
    (f) => `${f.rule} ${f.scope === 'function' ? compareRuns(base, head).functions[f.index].name : f.scope}`,
  );

describe('--fail-on rules: judging a diff', () => {
  const base = run([
    fn('steady', 100, 50e6),
    fn('grows', 10, 20e6),
    fn('shrinks', 10, 20e6),
    fn('tiny', 5, 10e3),
    fn('gone', 1, 5e6),
  ]);
  const head = run([
    fn('steady', 100, 50.2e6),
    fn('grows', 12, 30e6),
    fn('shrinks', 10, 10e6),
    fn('tiny', 5, 900e3),
    fn('fresh', 3, 4e6),
  ]);

  it('calls>0 fires on every function called more, new ones included, and on nothing else', () => {
    assert.deepEqual(fired(base, head, gate(['calls>0'])), ['calls>0 fresh', 'calls>0 grows']);
  });
  it('a percentage rule fires above the threshold and above the noise floor only', () => {
    // tiny grew 89x but by 0.89 ms, under the 1 ms floor; steady by 0.4%.
    // By impact: grows (+10 ms, +50%) before fresh (+4 ms, new), whatever their percentages.
    assert.deepEqual(fired(base, head, gate(['self>10%'])), ['self>10% grows', 'self>10% fresh']);
    assert.deepEqual(fired(base, head, gate(['self>10%'], 0)), ['self>10% grows', 'self>10% fresh', 'self>10% tiny']);
  });
  it('an absolute rule compares the change itself', () => {
    assert.deepEqual(fired(base, head, gate(['self>+5ms'])), ['self>+5ms grows']);
    assert.deepEqual(fired(base, head, gate(['self>=+4ms'])), ['self>=+4ms grows', 'self>=+4ms fresh']);
  });
  it('< rules catch shrinking (vanished functions go to -100%)', () => {
    assert.deepEqual(fired(base, head, gate(['self<-40%'])), ['self<-40% shrinks', 'self<-40% gone']);
  });
  it('an unchanged item never fires, whatever the rule', () => {
    assert.deepEqual(fired(base, base, gate(['calls>=0', 'self<=0', 'total>=0%', 'traced>=0ms'])), []);
  });
  it('run-wide metrics judge the whole run once', () => {
    const slower = run([fn('a', 1, 120e6)], { durationNs: 1e9 });
    const b = run([fn('a', 1, 100e6)], { durationNs: 1e9 });
    assert.deepEqual(fired(b, slower, gate(['traced>5%', 'traced>25%'])), ['traced>5% run']);
    assert.deepEqual(fired(b, slower, gate(['duration>0ms'])), []);
  });
  it('GC rules use their own, smaller, noise floor', () => {
    const gcBase = run([], { gc: [{ generation: 0, count: 30, totalNs: 1e6, p95Ns: 200e3 }] });
    const gcHead = run([], { gc: [{ generation: 0, count: 32, totalNs: 1.5e6, p95Ns: 300e3 }] });
    assert.deepEqual(fired(gcBase, gcHead, gate(['gc.p95>20%', 'gc.count>0'])), ['gc.p95>20% gc', 'gc.count>0 gc']);
    assert.deepEqual(fired(gcBase, gcHead, gate(['gc.p95>20%'], 1e6, 150e3)), []);
  });
  it('gc.p95 leaves generations with under 20 collections alone (their p95 is their longest pause)', () => {
    const few = run([], { gc: [{ generation: 2, count: 19, totalNs: 4e6, p95Ns: 1e6 }] });
    const fewSlower = run([], { gc: [{ generation: 2, count: 19, totalNs: 9e6, p95Ns: 5e6 }] });
    assert.deepEqual(fired(few, fewSlower, gate(['gc.p95>20%', 'gc.total>20%'])), ['gc.total>20% gc']);
  });
  it('import rules judge each module’s cumulative or own time', () => {
    const b = run([], { imports: [{ module: 'json', count: 1, durationNs: 10e6, selfNs: 2e6 }] });
    const h = run([], {
      imports: [
        { module: 'json', count: 1, durationNs: 35e6, selfNs: 2.1e6 },
        { module: 'numpy', count: 1, durationNs: 80e6, selfNs: 5e6 },
      ],
    });
    assert.deepEqual(fired(b, h, gate(['import>+20ms'])), ['import>+20ms import', 'import>+20ms import']);
    assert.deepEqual(
      evaluateGate(compareRuns(b, h), gate(['import.self>+1ms'])).map((f) => compareRuns(b, h).imports[f.index].module),
      ['numpy'],
    );
  });
  it('findings of a rule come largest change first', () => {
    const b = run([fn('a', 1, 10e6), fn('b', 1, 10e6), fn('c', 1, 10e6)]);
    const h = run([fn('a', 1, 12e6), fn('b', 1, 30e6), fn('c', 1, 15e6)]);
    assert.deepEqual(fired(b, h, gate(['self>1%'])), ['self>1% b', 'self>1% c', 'self>1% a']);
  });
  it('the default noise floor is 5 ms, or 1% of BASE’s time in Python when that is more', () => {
    assert.equal(defaultMinDelta(run([fn('a', 1, 10e6)])), 5e6);
    assert.equal(defaultMinDelta(run([fn('a', 1, 3e9)])), 30e6);
  });
  it('--normalize scales HEAD to BASE’s total before judging', () => {
    // HEAD ran on a machine twice as slow: every time doubled; nothing changed relative to the rest.
    const b = run([fn('a', 1, 10e6), fn('b', 1, 30e6)]);
    const h = run([fn('a', 1, 20e6), fn('b', 1, 60e6)]);
    assert.equal(evaluateGate(compareRuns(b, h), gate(['self>10%'])).length, 2);
    assert.equal(evaluateGate(compareRuns(b, h, { normalize: true }), gate(['self>10%'])).length, 0);
  });
  it('--ignore leaves matching functions out of the tables and the rules', () => {
    const diff = compareRuns(base, head, { ignore: /^gr|fresh/ });
    assert.deepEqual(evaluateGate(diff, gate(['calls>0'])), []);
    assert.equal(diff.ignored, 2);
  });
});
