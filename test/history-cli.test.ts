import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HOSTILE, writeHostileTrace } from './helpers/hostile-trace.js';
import { SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

const CALLS = join(SAMPLES, 'call-stack.pyflame.txt');
const RECURSION = join(SAMPLES, 'recursion.pyflame.txt');

describe('pyflame history (the real binary)', () => {
  it('adds runs (once), then answers trend, movers and sql; exit 0', async () => {
    const store = join(scratchDir('history-cli'), 'store');
    const added = await runCli(['history', 'add', CALLS, '--label', 'commit=a1', '--store', store]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^added run [0-9a-f]{16} \(.*call-stack\.pyflame\.txt\) as #1\n$/);
    assert.equal(added.stderr, `pyflame: history ${store} holds 1 run\n`);
    const again = await runCli(['history', 'add', CALLS, '--label', 'commit=a1', '--store', store]);
    assert.match(again.stdout, /is already in the history/);
    assert.equal(again.stderr, `pyflame: history ${store} holds 1 run\n`);
    assert.equal((await runCli(['history', 'add', RECURSION, '--label', 'commit=b2', '--store', store])).code, 0);

    const trend = await runCli(['history', '--store', store, 'trend', 'call_stack.py:<module>', '--by', 'commit']);
    assert.equal(trend.code, 0, trend.stderr);
    assert.match(trend.stdout, /2 runs by commit, 2 values/);
    assert.match(trend.stdout, /^<module> \(.*call_stack\.py\): /);
    assert.match(trend.stdout, /\n {2}a1 +1 +1 +[\d.]+ [mµn]?s +[\d.]+ [mµn]?s +1\n/);
    // The function did not run in b2's run.
    assert.match(trend.stdout, /\n {2}b2 +2 +1 +- +- +0\n/);

    const movers = await runCli(['history', 'movers', '--from', 'commit=a1', '--to', 'commit=b2', '--store', store]);
    assert.equal(movers.code, 0, movers.stderr);
    assert.match(movers.stdout, /^Self time movers, commit=a1 \(1 run\) -> commit=b2 \(1 run\), medians\n/);

    const sql = await runCli(['history', 'sql', 'SELECT count(*) AS runs FROM runs', '--store', store]);
    assert.equal(sql.code, 0, sql.stderr);
    assert.equal(sql.stdout, 'runs\n2\n(1 row)\n');
  });

  it('trend --html writes one offline page (to PATH, or alone on stdout with -) besides the tables', async () => {
    const scratch = scratchDir('history-cli');
    const store = join(scratch, 'store');
    assert.equal((await runCli(['history', 'add', CALLS, RECURSION, '--store', store])).code, 0);
    const page = join(scratch, 'trend.html');
    const result = await runCli(['history', 'trend', 'fib', 'call_stack.py:start', '--html', page, '--store', store]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, `pyflame: wrote ${page}\n`);
    assert.match(result.stdout, /^fib \(.*\n[^]*\nstart \(/);
    const html = readFileSync(page, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.equal((html.match(/<section class="trend">/g) ?? []).length, 2);
    const toStdout = await runCli(['history', 'trend', 'fib', '--html', '-', '--store', store]);
    assert.equal(toStdout.code, 0, toStdout.stderr);
    assert.match(toStdout.stdout, /^<!DOCTYPE html>[^]*<\/html>\n$/);
  });

  it('shows names from traces as visible text, never as terminal controls', async () => {
    const store = join(scratchDir('history-cli'), 'store');
    const trace = writeHostileTrace(scratchDir('history-cli'));
    assert.equal((await runCli(['history', 'add', trace, '--label', 'c=\x1b[31mred', '--store', store])).code, 0);
    const trend = await runCli(['history', 'trend', HOSTILE.fn, '--by', 'c', '--store', store]);
    assert.equal(trend.code, 0, trend.stderr);
    assert.ok(trend.stdout.includes('\\x1b[31mred'));
    assert.ok(trend.stdout.includes('\\u2028\\x01.py'));
    const sql = await runCli(['history', 'sql', 'SELECT file FROM functions', '--store', store]);
    assert.equal(sql.code, 0, sql.stderr);
    assert.doesNotMatch(sql.stdout + trend.stdout, /[\x00-\x09\x0b-\x1f\u2028]/);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['an empty store', ['trend', 'parse'], /holds no run yet: add some with pyflame history add/],
    ['a label without =', ['add', CALLS, '--label', 'commit'], /--label commit: expected key=value/],
    ['a bad label key', ['add', CALLS, '--label', '1x=2'], /expected key=value/],
    ['movers without --from', ['movers', '--to', 'a=b'], /history movers needs --from key=value/],
    ['a flag of another action', ['trend', 'parse', '--label', 'a=b'], /--label is not an option of history trend/],
    ['no result to add', ['add'], /history add needs at least one RESULT/],
    ['an unknown action', ['show'], /Invalid values/],
  ];
  for (const [what, args, message] of usage)
    it(`exits 2 with a message for ${what}`, async () => {
      const store = join(scratchDir('history-cli'), 'empty');
      const result = await runCli(['history', ...args, '--store', store]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    });

  it('exits 2 for an unknown function, a label no run has, and SQL DuckDB refuses', async () => {
    const store = join(scratchDir('history-cli'), 'store');
    assert.equal((await runCli(['history', 'add', CALLS, '--label', 'commit=a1', '--store', store])).code, 0);
    const cases: Array<[string[], RegExp]> = [
      [['trend', 'no_such_function'], /no run in the history has a function no_such_function/],
      [['movers', '--from', 'commit=a1', '--to', 'commit=zz'], /no run in the history has the label commit=zz/],
      [['sql', 'SELECT * FROM no_such_table'], /history sql: .*no_such_table/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['history', ...args, '--store', store]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });

  it('refuses --label with a Parquet folder (its runs keep their labels) and adds nothing', async () => {
    const scratch = scratchDir('history-cli');
    const tables = join(scratch, 'tables');
    assert.equal((await runCli(['analyze', CALLS, '--parquet', tables])).code, 0);
    const store = join(scratch, 'store');
    const result = await runCli(['history', 'add', CALLS, tables, '--label', 'a=b', '--store', store]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is a Parquet folder: its runs keep the labels/);
    const empty = await runCli(['history', 'sql', 'SELECT 1', '--store', store]);
    assert.equal(empty.code, 2);
  });
});
