import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { createCsvWriter, csvEventLog, csvTextField, kindHasValue } from '../src/export/event-log/csv.js';
import { CsvRows } from '../src/export/event-log/csv-rows-wasm.js';
import { EventBatch, NO_REF, UNKNOWN_ID } from '../src/model/event-batch.js';
import { EVENT_KIND_NAMES, kindHasFrame } from '../src/model/event-kind.js';
import { FrameTable } from '../src/model/frame-table.js';
import { MAX_TIMESTAMP_SECONDS } from '../src/model/limits.js';
import { TimeBase } from '../src/model/time-base.js';
import type { TraceContext } from '../src/parse/read-trace.js';

// The CSV rows are formatted by WebAssembly (src/wasm/csv-rows.ts) where it can, by JavaScript
// for the rows it leaves: either way each row must be the plain string formatting's, byte for byte.

/** Row i as plain string formatting writes it (what convert's CSV always was). */
function referenceRow(batch: EventBatch, i: number, { frames, time }: TraceContext): string {
  const kind = batch.kind[i];
  const frame = kindHasFrame(kind) && batch.frame[i] !== NO_REF ? batch.frame[i] : NO_REF;
  const where =
    frame === NO_REF
      ? ['', '', '']
      : [csvTextField(frames.file(frame)), csvTextField(frames.func(frame)), String(frames.line(frame))];
  return `${[
    time.absolute(batch.ts[i]),
    batch.pid[i] === UNKNOWN_ID ? '' : batch.pid[i],
    batch.tid[i] === UNKNOWN_ID ? '' : batch.tid[i],
    EVENT_KIND_NAMES[kind],
    ...where,
    kindHasValue(kind) ? batch.value[i] : '',
    batch.name[i] === NO_REF ? '' : csvTextField(frames.strings.get(batch.name[i])),
    batch.srcLine[i],
  ].join(',')}\n`;
}

const NAMES = ['main', 'a,b', 'say "hi"', '=cmd', 'é日本🔥', '<script>', 'x'.repeat(300), 'y'.repeat(5000), ''];

/** A number column's value: mostly whole, sometimes one JavaScript must write. */
const numberCell = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 4_000_000 }) },
  { weight: 1, arbitrary: fc.maxSafeNat() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(UNKNOWN_ID, -0, -5, 0.5, 2 ** 53, 1e21, Number.NaN, 999_999_999, 1e9, 2 ** 53 - 1),
  },
  { weight: 1, arbitrary: fc.double() },
);

/** Relative times are whole nanoseconds (TimeBase makes no other). */
const relativeTime = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 45), max: 2 ** 45 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 2 ** 53, -(2 ** 53), 1e9 - 1, -1, 2 ** 62) },
);

const event = fc.record({
  kind: fc.integer({ min: 0, max: EVENT_KIND_NAMES.length - 1 }),
  ts: relativeTime,
  pid: numberCell,
  tid: numberCell,
  // A new frame (file and function from NAMES, a line) or one made before.
  frame: fc.oneof(
    fc.constant(NO_REF),
    fc.tuple(fc.nat(NAMES.length - 1), fc.nat(NAMES.length - 1), fc.integer({ min: 0, max: 100_000 })),
    fc.nat(40),
  ),
  value: numberCell,
  name: fc.oneof(fc.constant(NO_REF), fc.nat(NAMES.length - 1)),
  srcLine: numberCell,
});

describe('CSV rows by WebAssembly (csv-rows.wasm)', () => {
  it('is available in a build (npm run build:wasm made it)', () => {
    const kinds = { bytes: new Uint8Array(2), offsets: new Uint32Array(2), columns: new Uint8Array(1) };
    assert.ok(CsvRows.create(kinds) !== undefined);
  });

  it('the writer gives the plain formatting of every row, batch after batch, as names and frames appear, within any mirror budget', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constant(0),
          fc.integer({ min: 0, max: 20_000 }),
          fc.integer({ min: 1_700_000_000, max: MAX_TIMESTAMP_SECONDS }),
        ),
        fc.integer({ min: 0, max: 999_999_999 }),
        fc.array(fc.array(event, { maxLength: 60 }), { minLength: 1, maxLength: 4 }),
        // The copy of names and frames the formatter keeps: whole, or cut short (later rows: JavaScript).
        fc.constantFrom(undefined, 0, 40, 300, 6000),
        (seconds, nanos, batches, wasmMirrorBytes) => {
          const time = new TimeBase();
          time.setBase(seconds, nanos);
          const frames = new FrameTable();
          const trace: TraceContext = { source: 'test', format: 'pyflame', frames, time };
          const writer = createCsvWriter({ wasmMirrorBytes });
          const pieces: Uint8Array[] = [];
          let expected = '';
          for (const events of batches) {
            const batch = new EventBatch(Math.max(1, events.length));
            for (const e of events) {
              const i = batch.length++;
              batch.kind[i] = e.kind;
              batch.ts[i] = e.ts;
              batch.pid[i] = e.pid;
              batch.tid[i] = e.tid;
              batch.frame[i] =
                typeof e.frame === 'number'
                  ? e.frame === NO_REF || frames.size === 0
                    ? NO_REF
                    : e.frame % frames.size
                  : frames.intern(`/srv/${NAMES[e.frame[0]]}.py`, NAMES[e.frame[1]], e.frame[2]);
              batch.value[i] = e.value;
              batch.name[i] = e.name === NO_REF ? NO_REF : frames.strings.intern(NAMES[e.name]);
              batch.srcLine[i] = e.srcLine;
            }
            // Copies: a piece handed on is never changed, but check that too.
            writer.batch(batch, trace, (bytes) => pieces.push(Uint8Array.from(bytes)));
            for (let i = 0; i < batch.length; i++) expected += referenceRow(batch, i, trace);
          }
          assert.equal(Buffer.concat(pieces).toString('utf8'), expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a batch longer than one piece of output: every row once, in order', () => {
    const time = new TimeBase();
    time.setBase(1_732_700_000, 123_456_789);
    const frames = new FrameTable();
    const trace: TraceContext = { source: 'test', format: 'pyflame', frames, time };
    const batch = new EventBatch(40_000);
    for (let i = 0; i < 40_000; i++) {
      batch.kind[i] = i % EVENT_KIND_NAMES.length;
      batch.ts[i] = i * 1_001;
      batch.pid[i] = 4242;
      batch.tid[i] = 4242 + (i % 3);
      batch.frame[i] = frames.intern(`/srv/app/module_${i % 500}.py`, `function_${i % 700}`, i % 900);
      batch.value[i] = i % 17;
      batch.name[i] = i % 5 === 0 ? frames.strings.intern(`module.${i % 300}`) : NO_REF;
      batch.srcLine[i] = i + 2;
      // Now and then a row for JavaScript.
      if (i % 4_999 === 0) batch.pid[i] = -3;
    }
    batch.length = 40_000;
    const pieces: Uint8Array[] = [];
    csvEventLog.create().batch(batch, trace, (bytes) => pieces.push(Uint8Array.from(bytes)));
    let expected = '';
    for (let i = 0; i < batch.length; i++) expected += referenceRow(batch, i, trace);
    const text = Buffer.concat(pieces).toString('utf8');
    assert.ok(text.length > 2 * 1024 * 1024, 'more than a piece of output');
    assert.equal(text, expected);
  });
});
