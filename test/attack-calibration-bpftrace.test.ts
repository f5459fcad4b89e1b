import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withCostLine } from '../src/record/calibrate-bpftrace.js';
import { chooseProbeSet } from '../src/record/probe-set.js';
import { readStapsdtNotesFromFile } from '../src/record/elf-notes.js';
import { MARKED_PYTHON, markerRecordingSkipReason } from './helpers/record-skip.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// Issue 13 §1 with bpftrace: the calibration runs under the recording's own bpftrace program
// (on 3.11 the line marker attached and not written: the `unwritten` kind), and the program's
// BEGIN prints the cost line right after the header.

const skip = markerRecordingSkipReason();

const PROGRAM = 'def f(n):\n    return n if n < 2 else f(n - 1) + f(n - 2)\n\nf(12)\n';

describe('record with bpftrace: the cost line', () => {
  it('Debian 3.11: entry, return, unwritten (the silent line marker), gc, imports, audit', { skip }, async () => {
    const dir = scratchDir('calibration-bpf');
    writeFileSync(join(dir, 'prog.py'), PROGRAM);
    const result = await runCli(['record', '-o', 'trace.txt', '--', MARKED_PYTHON, 'prog.py'], {
      cwd: dir,
      env: { PYFLAME_CALIBRATE: '1' },
      timeoutMs: 180_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^pyflame: calibration \([\d.]+ s, 3 runs\): one firing costs entry\+return [\d.]+ ns ±[\d.]+, unwritten /m,
    );
    const lines = readFileSync(join(dir, 'trace.txt'), 'latin1').split('\n');
    assert.match(lines[0]!, /^# pyflame-trace v1 /);
    const cost =
      /^# pyflame-cost v1 recorder=bpftrace python=3\.11\.\d+ runs=3 calibration-ms=\d+ (.*) method=\S+$/.exec(
        lines[1]!,
      );
    assert.ok(cost !== null, `the cost line after the header: ${lines[1]}`);
    const kinds = new Map(
      cost[1]!.split(' ').map((field) => {
        const [kind, values] = field.split('=') as [string, string];
        assert.match(values, /^\d+(\.\d+)?,\d+(\.\d+)?,\d+(\.\d+)?$/, field);
        return [kind, values.split(',').map(Number) as [number, number, number]] as const;
      }),
    );
    assert.deepEqual(
      [...kinds.keys()],
      ['entry', 'return', 'unwritten', 'gc-start', 'gc-done', 'import-start', 'import-done', 'audit'],
    );
    for (const [kind, [value, err, before]] of kinds) {
      assert.ok(value > 0, `${kind} COST > 0`);
      assert.ok(err >= 0.35 * value - 0.1, `${kind} ERR >= 35% of COST`);
      assert.ok(before >= 0 && before <= value, `${kind} BEFORE in [0, COST]`);
    }
    assert.equal(lines.filter((line) => line.startsWith('# pyflame-cost')).length, 1);
  });

  it('the cost line goes into the program right after the header printf', {
    skip: skip && 'needs /usr/bin/python3.11',
  }, () => {
    const probes = chooseProbeSet(readStapsdtNotesFromFile(MARKED_PYTHON), { major: 3, minor: 11 }, false);
    const program = withCostLine(probes.program, '# pyflame-cost v1 recorder=bpftrace entry=1,0.2,0.5');
    const begin = program.slice(0, program.indexOf('}'));
    assert.match(
      begin,
      /pyflame-trace[^\n]*\n\tprintf\("# pyflame-cost v1 recorder=bpftrace entry=1,0\.2,0\.5\\n"\);\n$/,
    );
    assert.throws(() => withCostLine(probes.program, '# pyflame-cost v1 python=%s"'), /printf/);
  });
});
