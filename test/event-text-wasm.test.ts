import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { EventText } from '../src/export/event-text-wasm.js';

/** An event as speedscope.ts's JavaScript path writes it (JSON.stringify formats numbers alike). */
function expectedEvent(e: number, frameOf: Int32Array, at: number, first: boolean): string {
  const fn = e > 0 ? e - 1 : -e - 1;
  return `${first ? '' : ','}${JSON.stringify({ type: e > 0 ? 'O' : 'C', frame: frameOf[fn], at })}`;
}

/** Formats a piece the way speedscope.ts drives the formatter: runs, and JavaScript for odd times. */
function formatted(
  text: EventText,
  events: Int32Array,
  at: Float64Array,
  origin: number,
  first: boolean,
  frameOf: Int32Array,
): string {
  text.load(events, at);
  let out = '';
  let i = 0;
  let isFirst = first;
  while (i < events.length) {
    const run = text.run(i, origin, isFirst);
    if (run.next > i) isFirst = false;
    out += Buffer.from(run.text).toString('latin1');
    i = run.next;
    if (run.oddTime) {
      out += expectedEvent(events[i], frameOf, at[i] - origin, isFirst);
      isFirst = false;
      i++;
    }
  }
  return out;
}

describe('EventText (speedscope events formatted by WebAssembly)', () => {
  it('is available in a build (npm run build:wasm made it)', () => {
    assert.ok(EventText.create(new Int32Array(1), 1024) !== undefined);
  });

  it('writes exactly what the JavaScript path writes, for any events and times', () => {
    const time = fc.oneof(
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.maxSafeInteger(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0, -0, 99999999, 1e8, 999999999, 1e9, 2 ** 53 - 1, 2 ** 53, -(2 ** 53) + 1, 1e21, 0.5),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 39 }), fc.boolean(), time), { maxLength: 120 }),
        fc.oneof(
          fc.constant(0),
          fc.integer({ min: -1e12, max: 1e12 }),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
        ),
        fc.boolean(),
        fc.integer({ min: 1, max: 400 }),
        (functions, drawn, origin, first, limit) => {
          const frameOf = Int32Array.from({ length: 40 }, (_, fn) => (fn * 2_654_435_761) % (functions * 1_000_003));
          const events = Int32Array.from(drawn, ([fn, opening]) => (opening ? fn + 1 : -(fn + 1)));
          const at = Float64Array.from(drawn, ([, , t]) => t);
          const text = EventText.create(frameOf, limit)!;
          const expected = drawn
            .map(([, , t], i) => expectedEvent(events[i], frameOf, t - origin, first && i === 0))
            .join('');
          assert.equal(formatted(text, events, at, origin, first, frameOf), expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('formats a long piece in runs of about the limit, loading a second piece in the same memory', () => {
    const frameOf = Int32Array.from({ length: 300 }, (_, i) => 299 - i);
    const text = EventText.create(frameOf, 4096)!;
    for (const count of [100_000, 10]) {
      const events = Int32Array.from({ length: count }, (_, i) => (i % 2 === 0 ? (i % 300) + 1 : -((i - 1) % 300) - 1));
      const at = Float64Array.from({ length: count }, (_, i) => 1e12 + i * 1234);
      let expected = '';
      for (let i = 0; i < count; i++) expected += expectedEvent(events[i], frameOf, at[i] - 1e12, i === 0);
      text.load(events, at);
      let out = '';
      let runs = 0;
      for (let i = 0; i < count; runs++) {
        const run = text.run(i, 1e12, i === 0);
        assert.equal(run.oddTime, false);
        assert.ok(run.text.length <= 4096 + 64, 'a run ends within one event past the limit');
        out += Buffer.from(run.text).toString('latin1');
        i = run.next;
      }
      assert.equal(out, expected);
      if (count > 10) assert.ok(runs > 100, 'a long piece takes many runs');
    }
  });
});
