import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';
import { markerRecordingSkipReason } from './helpers/record-skip.js';

/**
 * On Debian's python3.11 (markers built in), the same program recorded both ways gives the same
 * call count for every function of the program: bpftrace on the markers, and in-process.
 * (The entry line differs: the markers give a resumed generator the line it resumes at and
 * `<module>` line 0; the recorder gives the def line, as cProfile. So functions are compared by
 * file and name.)
 */

const PY = '/usr/bin/python3.11';
const PROGRAMS = join(FIXTURES, 'inprocess/programs');

const skipReason = markerRecordingSkipReason;

/** Calls per `file \t function` of the functions defined in `file`. */
function callsIn(trace: string, file: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of readFileSync(trace, 'utf8').split('\n')) {
    const fields = line.split('\t');
    if (fields[3] !== 'function__entry' || fields[4] !== file) continue;
    counts[fields[5]!] = (counts[fields[5]!] ?? 0) + 1;
  }
  return counts;
}

test('Debian python3.11: the markers and the in-process recorder count the same calls per function of the program', {
  skip: skipReason(),
}, async () => {
  const dir = scratchDir('inprocess-markers');
  const markers = join(dir, 'markers.txt');
  const inprocess = join(dir, 'inprocess.txt');
  const byMarkers = await runCli(['record', '--via', 'markers', '-o', markers, '--', PY, 'calls.py'], {
    cwd: PROGRAMS,
  });
  assert.equal(byMarkers.code, 0, byMarkers.stderr);
  const inProcess = await runCli(['record', '--via', 'inprocess', '-o', inprocess, '--', PY, 'calls.py'], {
    cwd: PROGRAMS,
  });
  assert.equal(inProcess.code, 0, inProcess.stderr);
  const file = join(PROGRAMS, 'calls.py');
  const expected = callsIn(markers, file);
  assert.ok((expected.fib ?? 0) > 500, JSON.stringify(expected));
  assert.deepEqual(callsIn(inprocess, file), expected);
});
