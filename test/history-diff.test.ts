import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

const TRACES = ['call-stack.pyflame.txt', 'recursion.pyflame.txt', 'threads.pyflame.txt', 'lines.pyflame.txt'].map(
  (name) => join(SAMPLES, name),
);

/** A diff --json document with BASE's run names (files there, history ids here) as RUN. */
function withoutBaseNames(text: string): unknown {
  return JSON.parse(text.replace(/history:[0-9a-f]{16} \([^)"]*\)/g, 'RUN').replace(/[^"\s,:]*run-\d\.json/g, 'RUN'));
}

describe('pyflame diff --base-history', () => {
  it('equals diff --base of the same runs saved as --json: the last N of the branch, in the order added', async () => {
    const scratch = scratchDir('history-diff');
    const store = join(scratch, 'store');
    const saved: string[] = [];
    // Four runs of main (the first one too old for --last 3) and one of another branch, added last.
    for (const [i, trace] of TRACES.entries()) {
      const json = join(scratch, `run-${i}.json`);
      assert.equal((await runCli(['analyze', trace, '--json', json])).code, 0);
      saved.push(json);
      const add = await runCli(['history', 'add', json, '--label', 'branch=main', '--store', store]);
      assert.equal(add.code, 0, add.stderr);
    }
    assert.equal((await runCli(['history', 'add', TRACES[0], '--label', 'branch=dev', '--store', store])).code, 0);
    const head = TRACES[0];
    const fromHistory = await runCli(['diff', '--base-history', '--store', store, '--last', '3', head, '--json', '-']);
    assert.equal(fromHistory.code, 0, fromHistory.stderr);
    assert.equal(fromHistory.stderr, `pyflame: BASE: the last 3 runs of branch main in ${store}\n`);
    const fromFiles = await runCli(['diff', '--base', ...saved.slice(1), '--head', head, '--json', '-']);
    assert.equal(fromFiles.code, 0, fromFiles.stderr);
    assert.deepEqual(withoutBaseNames(fromHistory.stdout), withoutBaseNames(fromFiles.stdout));
    assert.match(readFileSync(saved[1], 'utf8'), /"schemaVersion"/);
  });

  it('gates like any diff (exit 1), and exits 2 for a branch without runs, an empty store or BASE given too', async () => {
    const scratch = scratchDir('history-diff');
    const store = join(scratch, 'store');
    assert.equal((await runCli(['history', 'add', TRACES[0], '--label', 'branch=main', '--store', store])).code, 0);
    const gated = await runCli(['diff', '--base-history', '--store', store, TRACES[1], '--fail-on', 'calls>0']);
    assert.equal(gated.code, 1, gated.stderr);
    const cases: Array<[string[], RegExp]> = [
      [['--store', store, '--branch', 'dev', TRACES[0]], /no run in .* has the label branch=dev/],
      [['--store', join(scratch, 'none'), TRACES[0]], /holds no run yet/],
      [['--store', store, TRACES[0], TRACES[1]], /give HEAD only/],
      [['--store', store, '--last', '0', TRACES[0]], /--last takes a whole number/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['diff', '--base-history', ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    const storeAlone = await runCli(['diff', TRACES[0], TRACES[1], '--store', store]);
    assert.equal(storeAlone.code, 2);
    assert.match(storeAlone.stderr, /--store names the history of --base-history/);
  });
});
