import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { unknownEndWarning } from '../src/cli/commands/record.js';
import { finishTrace } from '../src/record/finish-trace.js';
import { exitProbe } from '../src/record/probe-set.js';
import { codes } from './helpers/analysis.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

/**
 * bpftrace's `Lost N events` counts every record its buffer could not take, the program's exit
 * report (`# pyflame-exit`) included. With a tiny buffer that report is sometimes lost: the
 * program's last events have just filled the buffer when it ends. Its probe counts it
 * (`@pyflame_exit`), so the completeness sums hold records on both sides.
 */

const scratch = scratchDir('finish-exit-report');
const HEADER = '# pyflame-trace v1 clock=boot_ns python=/usr/bin/python3.11';
const EXIT = '# pyflame-exit pid=7 wait-status=0';
const EVENT = (ts: number, probe: string) => `${ts}\t7\t7\t${probe}\t/t/m.py\tf\t1`;

/** Four event lines written, three records lost, one of them the exit report: no exit line. */
const lines = [
  HEADER,
  EVENT(1, 'function__entry'),
  'Lost 2 events',
  EVENT(4, 'function__entry'),
  EVENT(5, 'function__return'),
  EVENT(6, 'function__return'),
  'Lost 1 events',
];
/** bpftrace's dump, in its order (by name), blank lines for the cleared maps. */
const eventCounts = '\n\n@function__entry: 3\n@function__return: 3\n';
const text = (body: readonly string[], dump: string) => `${body.join('\n')}\n${dump}`;

test('the exit report is counted by its probe, in the generated program', () => {
  for (const target of ['cpid', 4242] as const)
    assert.match(exitProbe(target), /\{\n\t@pyflame_exit = count\(\);\n\tprintf\("# pyflame-exit /);
});

test('finishTrace: the exit report among the lost records (lines + Lost = event counts + 1, @pyflame_exit: 1, no exit line) → complete, exit-report=lost', async () => {
  const path = writeScratch(scratch, text(lines, `${eventCounts}@pyflame_exit: 1\n@sched_in: 0\n`));
  const end = await finishTrace(path);
  const marker = '# pyflame-end result=complete events=4 lost=3 fired=6 missing=0 exit-report=lost';
  assert.deepEqual(end, {
    events: 4,
    lost: 3,
    fired: 6,
    missing: 0,
    complete: true,
    cutLine: false,
    exit: undefined,
    exitReport: 'lost',
    marker,
  });
  assert.equal(readFileSync(path, 'utf8'), `${lines.join('\n')}\n\n\n${marker}\n`);
  const analysis = await analyzeTrace(path);
  assert.equal(codes(analysis)['dropped-events'], 3);
  assert.equal(codes(analysis)['junk-line'], undefined);
  assert.equal(
    unknownEndWarning(end),
    'warning: how the program ended is unknown: its exit report (# pyflame-exit) was one of the events bpftrace lost',
  );
});

test('finishTrace: the same output without the exit count (what the program left before it counted its exit report) reads as one line too many', async () => {
  const end = await finishTrace(writeScratch(scratch, text(lines, eventCounts)));
  assert.deepEqual([end.complete, end.missing, end.exitReport], [false, -1, undefined]);
  assert.match(end.marker, / missing=-1 reason=more-lines-than-counted$/);
});

test('finishTrace: the exit report written and counted → complete, the program end read, no warning', async () => {
  const written = [...lines.slice(0, -1), EXIT];
  const end = await finishTrace(writeScratch(scratch, text(written, `${eventCounts}@pyflame_exit: 1\n`)));
  assert.deepEqual(
    [end.complete, end.missing, end.lost, end.exit, end.exitReport],
    [true, 0, 2, { pid: 7, status: 0 }, undefined],
  );
  assert.equal(end.marker, '# pyflame-end result=complete events=4 lost=2 fired=6 missing=0');
  assert.equal(unknownEndWarning(end), undefined);
});

test('finishTrace: no exit report printed (--pid stopped before the program ended: no @pyflame_exit in the dump) → complete', async () => {
  const end = await finishTrace(writeScratch(scratch, text(lines.slice(0, -1), eventCounts)));
  assert.deepEqual([end.complete, end.lost, end.missing, end.exit, end.exitReport], [true, 2, 0, undefined, undefined]);
  assert.equal(unknownEndWarning(end), undefined);
});

test('finishTrace: records never written, the exit report not in the trace either → incomplete, exit-report=missing', async () => {
  const path = writeScratch(scratch, text(lines, '@function__entry: 5\n@function__return: 5\n@pyflame_exit: 1\n'));
  const end = await finishTrace(path);
  assert.deepEqual([end.complete, end.fired, end.missing, end.exitReport], [false, 10, 4, 'missing']);
  assert.equal(end.marker, '# pyflame-end result=incomplete events=4 lost=3 fired=10 missing=4 exit-report=missing');
  assert.equal(
    unknownEndWarning(end),
    'warning: how the program ended is unknown: its exit report (# pyflame-exit) is missing from the trace',
  );
});
