import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// The outputs of analyze and diff come from one table each (src/cli/outputs): issue 18 §2.

const TRACE = join(SAMPLES, 'threads.pyflame.txt');

describe('the stdout rule: at most one document on stdout', () => {
  // A trace that is not there: the rule is checked before any trace is read, so its message wins.
  const missing = join(scratchDir('outputs-table'), 'never-written.txt');

  it('analyze: two outputs to - exit 2, naming both flags, before the trace is read', async () => {
    for (const trace of [TRACE, missing]) {
      const result = await runCli(['analyze', trace, '--importtime', '-', '--folded', '-']);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, 'pyflame: error: --importtime and --folded would both write to stdout; send one of them to a file\n');
    }
  });

  it('diff: the same rule, in the same words', async () => {
    for (const base of [TRACE, missing]) {
      const result = await runCli(['diff', base, TRACE, '--json', '-', '--svg', '-']);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, 'pyflame: error: --json and --svg would both write to stdout; send one of them to a file\n');
    }
  });
});
