import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

const DIFF = join(FIXTURES, 'diff');
const SMALL = join(SAMPLES, 'recursion.pyflame.txt');
const scratch = scratchDir('diff-runs-cli');
const runs = join(scratch, 'runs');

/** Saved --json results (fast to load) of the shop fixture before and after, copied per run. */
before(async () => {
  mkdirSync(runs);
  for (const side of ['base', 'head']) {
    const saved = join(scratch, `${side}.json`);
    const result = await runCli(['analyze', join(DIFF, `shop-${side}.pyflame.txt.gz`), `--json=${saved}`]);
    assert.equal(result.code, 0, result.stderr);
    for (const i of [1, 2, 3]) copyFileSync(saved, join(runs, `${side}-${i}.json`));
  }
});

const at = (name: string) => join(runs, name);

describe('pyflame diff --base RUN... --head RUN... (command line)', () => {
  it('exits 1 when a rule fires on three runs a side, saying how many runs each side had', async () => {
    const result = await runCli([
      'diff',
      '--base',
      at('base-1.json'),
      at('base-2.json'),
      at('base-3.json'),
      '--head',
      at('head-1.json'),
      at('head-2.json'),
      at('head-3.json'),
      '--fail-on',
      'calls>0',
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /3 runs of BASE, 3 of HEAD: figures are medians/);
    assert.match(result.stdout, /calls>0 +0 → 300 \(\+300, new\) +audit/);
  });

  it('quoted globs are expanded by pyflame, sorted', async () => {
    const result = await runCli([
      'diff',
      '--base',
      join(runs, 'base-*.json'),
      '--head',
      join(runs, 'head-[12].json'),
      at('head-3.json'),
      '--fail-on',
      'self>50%',
      '--json',
      '-',
    ]);
    assert.equal(result.code, 1, result.stderr);
    const json = JSON.parse(result.stdout) as { schemaVersion: number; runs: Record<string, unknown> };
    assert.equal(json.schemaVersion, 2);
    assert.deepEqual(json.runs.baseSources, [at('base-1.json'), at('base-2.json'), at('base-3.json')]);
    assert.equal(json.runs.head, 3);
    const pass = await runCli([
      'diff',
      '--base',
      join(runs, 'head-1.json'),
      join(runs, 'head-2.json'),
      '--head',
      join(runs, 'head-3.json'),
      '--fail-on',
      'calls>0',
    ]);
    assert.equal(pass.code, 0, pass.stderr);
    assert.match(pass.stdout, /2 runs of BASE, 1 of HEAD/);
  });

  it('exits 2 on a glob matching nothing, naming it', async () => {
    const result = await runCli(['diff', '--base', join(runs, 'nothing-*.json'), '--head', at('head-1.json')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--base .*nothing-\*\.json: the pattern matches no file/);
  });

  it('exits 2 when BASE HEAD and --base/--head are mixed, or a side is missing', async () => {
    const mixed = await runCli(['diff', at('base-1.json'), '--head', at('head-1.json')]);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /give BASE HEAD, or --base and --head, not both/);
    const alone = await runCli(['diff', '--base', at('base-1.json'), at('base-2.json')]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--head needs at least one run/);
    const none = await runCli(['diff']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Not enough non-option arguments: got 0, need at least 2/);
  });

  it('exits 2 when one file is a run of both sides, or twice a run of one', async () => {
    const twice = await runCli([
      'diff',
      '--base',
      at('base-1.json'),
      join(runs, 'base-*.json'),
      '--head',
      at('head-1.json'),
    ]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /base-1\.json is given twice as a run of BASE/);
    const result = await runCli([
      'diff',
      '--base',
      at('base-1.json'),
      at('base-2.json'),
      '--head',
      join(runs, '..', 'runs', 'base-2.json'),
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /base-2\.json is given as a run of both BASE and HEAD/);
  });

  it('BASE HEAD keeps working as before: schema version 1, no runs line', async () => {
    const result = await runCli(['diff', SMALL, SMALL, '--json', '-']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(json.schemaVersion, 1);
    assert.equal('runs' in json, false);
    const text = await runCli(['diff', SMALL, SMALL]);
    assert.doesNotMatch(text.stdout, /runs of BASE/);
    assert.equal(readFileSync(SMALL, 'utf8').length > 0, true);
  });
});

describe('expandRunPath: the quoted globs of --base/--head', () => {
  it('matches within a segment, sorted; a class, a negated class, ?; never a dot file by *; a plain path as it is', async () => {
    const { expandRunPath } = await import('../src/diff/run-paths.js');
    const dir = join(scratch, 'glob');
    mkdirSync(join(dir, 'sub-a'), { recursive: true });
    mkdirSync(join(dir, 'sub-b'), { recursive: true });
    for (const name of ['r10.json', 'r2.json', 'r1.json', '.r3.json', 'x.txt']) copyFileSync(SMALL, join(dir, name));
    copyFileSync(SMALL, join(dir, 'sub-a', 'r.json'));
    copyFileSync(SMALL, join(dir, 'sub-b', 'r.json'));
    assert.deepEqual(expandRunPath(join(dir, 'r*.json')), [
      join(dir, 'r1.json'),
      join(dir, 'r10.json'),
      join(dir, 'r2.json'),
    ]);
    assert.deepEqual(expandRunPath(join(dir, 'r?.json')), [join(dir, 'r1.json'), join(dir, 'r2.json')]);
    assert.deepEqual(expandRunPath(join(dir, 'r[!1].json')), [join(dir, 'r2.json')]);
    assert.deepEqual(expandRunPath(join(dir, '.r*.json')), [join(dir, '.r3.json')]);
    assert.deepEqual(expandRunPath(join(dir, 'sub-*', 'r.json')), [
      join(dir, 'sub-a', 'r.json'),
      join(dir, 'sub-b', 'r.json'),
    ]);
    assert.deepEqual(expandRunPath(join(dir, 'none-*.json')), []);
    assert.deepEqual(
      expandRunPath(join(dir, 'missing.json')),
      [join(dir, 'missing.json')],
      'a plain path is the loader\u2019s to check',
    );
    assert.deepEqual(expandRunPath('-'), ['-']);
  });
});
