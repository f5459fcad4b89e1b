import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// Issue 13 §1: `pyflame record` states the recording's cost in the trace (`# pyflame-cost v1`,
// design §A) from a calibration it runs itself; the in-process recorder on 3.8-3.11 writes the
// profile function's calls that wrote nothing (C calls) as the next event's `u=N`.

const PYENV = join(process.env.HOME ?? '/root', '.pyenv/versions');
const OLD_PY = join(PYENV, '3.11.7/bin/python3');
const NEW_PY = join(PYENV, '3.12.1/bin/python3');
const missing = (python: string) => (existsSync(python) ? false : `${python} is not installed (pyenv)`);

/** What the calibration may say at least: ERR is never below this share of COST (calibrate.ts). */
const ERR_FLOOR = 0.35;

/** A program making a known number of C calls (len) in one function, between its entry and return. */
const C_CALLS = 1000;
const PROGRAM = `def count(s):\n    n = 0\n    for i in range(${C_CALLS}):\n        n += len(s)\n    return n\n\ncount("abc")\n`;

interface CostLine {
  readonly fields: Map<string, string>;
  readonly kinds: Map<string, { cost: number; err: number; before: number }>;
}

const KINDS = ['entry', 'return', 'line', 'unwritten', 'gc-start', 'gc-done', 'import-start', 'import-done', 'audit'];

/** The trace's second line as a cost line, checked well-formed (design §A). */
function costLineOf(trace: string): CostLine {
  const lines = trace.split('\n');
  assert.match(lines[0]!, /^# pyflame-trace v1 /);
  assert.match(lines[1]!, /^# pyflame-cost v1 /, 'the cost line comes right after the header line');
  assert.equal(trace.split('# pyflame-cost').length, 2, 'one cost line');
  const fields = new Map<string, string>();
  for (const field of lines[1]!.slice('# pyflame-cost v1 '.length).split(' ')) {
    const at = field.indexOf('=');
    assert.ok(at > 0, `a key=value field: ${field}`);
    fields.set(field.slice(0, at), field.slice(at + 1));
  }
  const kinds = new Map<string, { cost: number; err: number; before: number }>();
  for (const kind of KINDS) {
    const value = fields.get(kind);
    if (value === undefined) continue;
    assert.match(value, /^\d+(\.\d+)?,\d+(\.\d+)?,\d+(\.\d+)?$/, `${kind}=COST,ERR,BEFORE`);
    const [cost, err, before] = value.split(',').map(Number) as [number, number, number];
    assert.ok(cost > 0, `${kind}: COST ${cost} > 0`);
    // The line rounds to 0.1 ns.
    assert.ok(err >= ERR_FLOOR * cost - 0.1, `${kind}: ERR ${err} >= ${ERR_FLOOR} x COST ${cost}`);
    assert.ok(before >= 0 && before <= cost, `${kind}: BEFORE ${before} within [0, ${cost}]`);
    kinds.set(kind, { cost, err, before });
  }
  assert.ok(Number(fields.get('runs')) >= 2, 'runs=N');
  assert.ok(Number(fields.get('calibration-ms')) > 0, 'calibration-ms=N');
  return { fields, kinds };
}

async function record(python: string, options: readonly string[], calibrate: boolean) {
  const dir = scratchDir('calibration');
  writeFileSync(join(dir, 'prog.py'), PROGRAM);
  const result = await runCli(
    ['record', '--via', 'inprocess', ...options, '-o', 'trace.txt', '--', python, 'prog.py'],
    {
      cwd: dir,
      env: { PYFLAME_CALIBRATE: calibrate ? '1' : '0' },
      timeoutMs: 120_000,
    },
  );
  assert.equal(result.code, 0, result.stderr);
  return { trace: readFileSync(join(dir, 'trace.txt'), 'latin1'), stderr: result.stderr };
}

describe('record --via inprocess: the cost line', () => {
  it('3.8-3.11: entry, return, unwritten (C calls), gc, imports; u=N counts the C calls', {
    skip: missing(OLD_PY),
  }, async () => {
    const { trace, stderr } = await record(OLD_PY, [], true);
    const cost = costLineOf(trace);
    assert.equal(cost.fields.get('recorder'), 'inprocess');
    assert.match(cost.fields.get('python')!, /^3\.11\.\d+$/);
    assert.deepEqual(
      [...cost.kinds.keys()],
      ['entry', 'return', 'unwritten', 'gc-start', 'gc-done', 'import-start', 'import-done'],
    );
    // Entry and return: half of entry+return each; their BEFOREs add up to it.
    const entry = cost.kinds.get('entry')!;
    const ret = cost.kinds.get('return')!;
    assert.equal(entry.cost, ret.cost);
    assert.ok(Math.abs(entry.before + ret.before - entry.cost) <= 0.2, 'entry BEFORE + return BEFORE = P/2');
    assert.match(
      stderr,
      /^pyflame: calibration \([\d.]+ s, 3 runs\): one firing costs entry\+return [\d.]+ ns ±[\d.]+, unwritten /m,
    );
    // The C calls of count() come with its return: exactly 2 firings (c_call, c_return) per len().
    const countReturn = trace.split('\n').find((line) => /\tfunction__return\t[^\t]*prog\.py\tcount\t/.test(line));
    assert.ok(countReturn !== undefined, 'count() returned');
    assert.match(countReturn, new RegExp(`\\tu=${2 * C_CALLS}$`));
    // Every u= is a count above 0, as the line's last field.
    for (const line of trace.split('\n').filter((text) => text.includes('\tu=')))
      assert.match(line, /^\d+\t\d+\t\d+\t[^\t]+\t.*\tu=[1-9]\d*$/);
  });

  it('3.12+ with --lines: entry, return, line, gc, imports; no unwritten kind, no u= fields', {
    skip: missing(NEW_PY),
  }, async () => {
    const { trace } = await record(NEW_PY, ['--lines'], true);
    const cost = costLineOf(trace);
    assert.match(cost.fields.get('python')!, /^3\.12\.\d+$/);
    assert.deepEqual(
      [...cost.kinds.keys()],
      ['entry', 'return', 'line', 'gc-start', 'gc-done', 'import-start', 'import-done'],
    );
    assert.ok(!trace.includes('\tu='), 'sys.monitoring has no hidden work: no u= fields');
    assert.ok(trace.includes('\tline\t'), 'line events are written');
  });

  it('--no-calibrate writes no cost line and says nothing of a calibration', { skip: missing(OLD_PY) }, async () => {
    const dir = scratchDir('calibration');
    writeFileSync(join(dir, 'prog.py'), PROGRAM);
    const result = await runCli(
      ['record', '--via', 'inprocess', '--no-calibrate', '-o', 'trace.txt', '--', OLD_PY, 'prog.py'],
      {
        cwd: dir,
        env: { PYFLAME_CALIBRATE: '1' },
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const trace = readFileSync(join(dir, 'trace.txt'), 'latin1');
    assert.ok(!trace.includes('# pyflame-cost'), 'no cost line');
    assert.doesNotMatch(result.stderr, /calibration/);
    // The C calls are counted all the same: the recorder's work does not depend on calibrating.
    assert.match(trace, new RegExp(`\\tcount\\t\\d+\\tu=${2 * C_CALLS}\\n`));
  });

  it('SIGTERM during the calibration: nothing recorded, nothing left behind, exit 2', {
    skip: missing(NEW_PY),
  }, async () => {
    const dir = scratchDir('calibration');
    writeFileSync(join(dir, 'prog.py'), PROGRAM);
    const pyflame = spawn(
      process.execPath,
      [CLI, 'record', '--via', 'inprocess', '-o', 'trace.txt', '--', NEW_PY, 'prog.py'],
      {
        cwd: dir,
        env: { ...process.env, PYFLAME_CALIBRATE: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    pyflame.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => pyflame.on('close', (code) => done(code)));
    // The calibration's scratch files appear beside the trace: it is under way.
    const scratch = () => readdirSync(dir).filter((name) => name.startsWith('.pyflame-calibration-'));
    while (scratch().length === 0 && pyflame.exitCode === null) await new Promise((done) => setTimeout(done, 5));
    pyflame.kill('SIGTERM');
    assert.equal(await exited, 2, stderr);
    assert.match(stderr, /stopped by SIGTERM during the calibration, before the program started; nothing was recorded/);
    assert.deepEqual(scratch(), []);
    assert.ok(!existsSync(join(dir, 'trace.txt')));
  });
});
