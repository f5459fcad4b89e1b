import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { convertTrace } from '../src/convert.js';
import { writeAbsoluteNs, writeNumber } from '../src/export/event-log/ascii-numbers.js';
import { kindHasValue } from '../src/export/event-log/csv.js';
import type { EventLogFormatName } from '../src/export/event-log/registry.js';
import type { TextOutput } from '../src/io/output.js';
import { csvTextField } from '../src/model/csv-text.js';
import { NO_REF, UNKNOWN_ID } from '../src/model/event-batch.js';
import { EVENT_KIND_NAMES, kindHasFrame } from '../src/model/event-kind.js';
import { EVENT_LOG_HEADER } from '../src/model/event-log-columns.js';
import { MAX_SPAN_NS, MAX_TIMESTAMP_NANOS, MAX_TIMESTAMP_SECONDS } from '../src/model/limits.js';
import { costLineText } from '../src/model/recording-cost.js';
import { TimeBase } from '../src/model/time-base.js';
import { readTrace } from '../src/parse/read-trace.js';
import { memoryOutput } from './helpers/event-log.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

// convert writes its event logs as bytes (numbers as digits in place, names encoded once) and
// parses on a worker thread: the output must be the text the plain string formatting gives,
// byte for byte, threaded or not.
const scratch = scratchDir('convert-bytes');

/** The event log as one string per row, built the plain way: what the byte writers must equal. */
async function referenceLog(path: string, to: EventLogFormatName): Promise<string> {
  const parts: string[] = [];
  const summary = await readTrace(path, {
    onBatch: (batch, { frames, time, cost }) => {
      if (parts.length === 0 && to === 'csv')
        parts.push(`${cost === undefined ? '' : `${costLineText(cost)}\n`}${EVENT_LOG_HEADER}\n`);
      for (let i = 0; i < batch.length; i++) {
        const kind = batch.kind[i];
        const frame = kindHasFrame(kind) && batch.frame[i] !== NO_REF ? batch.frame[i] : NO_REF;
        const pid = batch.pid[i] === UNKNOWN_ID ? undefined : batch.pid[i];
        const tid = batch.tid[i] === UNKNOWN_ID ? undefined : batch.tid[i];
        const value = kindHasValue(kind) ? batch.value[i] : undefined;
        const name = batch.name[i] === NO_REF ? undefined : frames.strings.get(batch.name[i]);
        const ts = time.absolute(batch.ts[i]);
        if (to === 'csv') {
          const where =
            frame === NO_REF
              ? ['', '', '']
              : [csvTextField(frames.file(frame)), csvTextField(frames.func(frame)), String(frames.line(frame))];
          const cells = [
            ts,
            pid ?? '',
            tid ?? '',
            EVENT_KIND_NAMES[kind],
            ...where,
            value ?? '',
            name === undefined ? '' : csvTextField(name),
            batch.srcLine[i],
          ];
          parts.push(`${cells.join(',')}\n`);
        } else {
          const object: Record<string, unknown> = { ts_ns: ts, pid, tid, event: EVENT_KIND_NAMES[kind] };
          if (frame !== NO_REF)
            Object.assign(object, { file: frames.file(frame), function: frames.func(frame), line: frames.line(frame) });
          Object.assign(object, { value, name, source_line: batch.srcLine[i] });
          parts.push(`${JSON.stringify(object)}\n`);
        }
      }
    },
  });
  if (parts.length === 0 && to === 'csv')
    parts.push(`${summary.cost === undefined ? '' : `${costLineText(summary.cost)}\n`}${EVENT_LOG_HEADER}\n`);
  return parts.join('');
}

async function converted(path: string, to: EventLogFormatName, parseThread: boolean): Promise<Buffer> {
  const output = memoryOutput();
  await convertTrace(path, output, { to, parseThread });
  return Buffer.from(output.text());
}

const inputs = [
  ...readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => join(SAMPLES, name)),
  ...readdirSync(join(FIXTURES, 'formats')).flatMap((format) =>
    readdirSync(join(FIXTURES, 'formats', format)).map((name) => join(FIXTURES, 'formats', format, name)),
  ),
  ...['damage/junk-lines.txt', 'damage/gzip.txt.gz', 'damage/out-of-order.txt'].map((name) => join(FIXTURES, name)),
];

describe('convert writes the event log byte for byte as plain string formatting does', () => {
  for (const to of ['csv', 'jsonl'] as const) {
    it(`--to ${to}: the samples and format fixtures, parsed in line and on a worker thread`, async () => {
      // JSONL shares the CSV's code paths: the smaller inputs keep this file's run short.
      for (const path of to === 'csv' ? inputs : inputs.filter((p) => statSync(p).size < 200_000)) {
        const expected = Buffer.from(await referenceLog(path, to));
        assert.ok(expected.equals(await converted(path, to, false)), `${path} in line`);
        assert.ok(expected.equals(await converted(path, to, true)), `${path} on a worker thread`);
      }
    });
  }

  it('names that need quoting, marking or UTF-8, and names longer than an output chunk', async () => {
    const names = [
      'a,b',
      'say "hi"',
      '=cmd',
      '+x',
      "'quoted",
      'line\rbreak',
      'é日本🔥',
      'x'.repeat(70_000),
      'y'.repeat(5_000_000),
    ];
    const lines = ['# pyflame-trace v1 clock=boot_ns'];
    let ts = 1_732_700_000_123_456_789n;
    for (const [n, name] of names.entries()) {
      lines.push(`${ts++}\t7\t7\tfunction__entry\t/srv/${name}.py\t${name}\t${n}`);
      lines.push(`${ts++}\t7\t7\timport__find__load__start\t${name}`);
      lines.push(`${ts++}\t7\t7\tfunction__return\t/srv/${name}.py\t${name}\t${n + 1}`);
    }
    const path = writeScratch(scratch, `${lines.join('\n')}\n`);
    for (const to of ['csv', 'jsonl'] as const) {
      const expected = Buffer.from(await referenceLog(path, to));
      assert.ok(expected.equals(await converted(path, to, false)), `--to ${to} in line`);
      assert.ok(expected.equals(await converted(path, to, true)), `--to ${to} on a worker thread`);
    }
  });

  it('a recording with a cost line and no events: the threaded convert keeps the cost line', async () => {
    const path = writeScratch(
      scratch,
      '# pyflame-trace v1 clock=boot_ns\n# pyflame-cost v1 recorder=test entry=100,10,50 return=100,10,50\n',
    );
    const expected = await referenceLog(path, 'csv');
    assert.match(expected, /^# pyflame-cost v1/);
    assert.equal((await converted(path, 'csv', true)).toString(), expected);
  });

  it('an output that fails stops a threaded convert with its error', async () => {
    const failure = new Error('disk full');
    const output: TextOutput = {
      ...memoryOutput(),
      drain: () => Promise.reject(failure),
    };
    await assert.rejects(
      convertTrace(join(SAMPLES, 'call-stack.pyflame.txt'), output, { to: 'csv', batchSize: 100 }),
      failure,
    );
  });
});

describe('digits written in place', () => {
  const written = (write: (buf: Uint8Array, pos: number) => number) => {
    const buf = new Uint8Array(64);
    const end = write(buf, 3);
    return end < 0 ? undefined : Buffer.from(buf.subarray(3, end)).toString('latin1');
  };

  it('writeNumber prints what String does, for any number', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double(),
          fc.integer(),
          fc.maxSafeNat(),
          fc.constantFrom(-0, 0, 1e9, 1e9 - 1, 2 ** 53, 2 ** 53 - 1, 1e21),
        ),
        (value) =>
          assert.equal(
            written((buf, pos) => writeNumber(buf, pos, value)),
            String(value),
          ),
      ),
    );
  });

  it('writeAbsoluteNs prints what TimeBase.absolute does, epoch-sized clocks included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_TIMESTAMP_SECONDS }),
        fc.integer({ min: 0, max: 999_999_999 }),
        fc.oneof(fc.integer(), fc.integer({ min: -MAX_SPAN_NS, max: MAX_SPAN_NS })),
        (seconds, nanos, relative) => {
          if (seconds === MAX_TIMESTAMP_SECONDS && nanos > MAX_TIMESTAMP_NANOS) return;
          const time = new TimeBase();
          time.setBase(seconds, nanos);
          const fast = written((buf, pos) => writeAbsoluteNs(buf, pos, seconds, nanos, relative));
          // Where the fast path declines, the writers print TimeBase.absolute itself.
          if (fast !== undefined) assert.equal(fast, time.absolute(relative));
        },
      ),
    );
  });

  it('writeAbsoluteNs takes the common cases (not left to the BigInt path)', () => {
    for (const [seconds, nanos, relative] of [
      [8812, 345678901, 123],
      [1_732_700_000, 123_456_789, 999_999_999],
      [MAX_TIMESTAMP_SECONDS, MAX_TIMESTAMP_NANOS, 0],
      [0, 0, 5],
      [5, 999_999_999, 1],
    ]) {
      const time = new TimeBase();
      time.setBase(seconds, nanos);
      assert.equal(
        written((buf, pos) => writeAbsoluteNs(buf, pos, seconds, nanos, relative)),
        time.absolute(relative),
      );
    }
  });
});
