import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';
import { assertImportable, assertSchemaValid, type SpeedscopeFile } from './helpers/speedscope-check.js';
import { startView } from './helpers/view-process.js';

// Issue 16 part 5 through the real binary: --speedscope-max-mb, the warning, view.
const dir = scratchDir('speedscope-budget-cli');
const trace = join(SAMPLES, 'threads.pyflame.txt');
/** The sample's file with every call (checked below), and 0.1 MiB, the budget used here. */
const FULL_BYTES = 375_856;
const BUDGET_BYTES = Math.floor(0.1 * 1024 * 1024);

const warningLines = (stderr: string) => stderr.split('\n').filter((line) => line.includes('warning:'));

describe('--speedscope-max-mb', () => {
  it('under the budget (the default 380 MiB): every call, no warning, the same bytes as with no budget', async () => {
    const plain = join(dir, 'default.json');
    const unlimited = join(dir, 'unlimited.json');
    const a = await runCli(['analyze', trace, `--speedscope=${plain}`]);
    const b = await runCli(['analyze', trace, `--speedscope=${unlimited}`, '--speedscope-max-mb', '0']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(warningLines(a.stderr), []);
    assert.deepEqual(warningLines(b.stderr), []);
    assert.equal(readFileSync(plain).length, FULL_BYTES);
    assert.ok(readFileSync(plain).equals(readFileSync(unlimited)));
  });

  it('over the budget: a file that fits, at a resolution named in it, and one warning line saying so', async () => {
    const out = join(dir, 'small.json');
    const result = await runCli(['analyze', trace, `--speedscope=${out}`, '--speedscope-max-mb', '0.1']);
    assert.equal(result.code, 0, result.stderr);
    const bytes = readFileSync(out).length;
    assert.ok(bytes <= BUDGET_BYTES, `${bytes} bytes`);
    assert.deepEqual(warningLines(result.stderr), [
      `pyflame: warning: ${trace}: the speedscope file with every call would be ${FULL_BYTES} bytes, over the ${BUDGET_BYTES} bytes budget (--speedscope-max-mb): written at a resolution of 1 ms, ${bytes} bytes: the per-thread timelines leave out calls shorter than 1 ms (their time shows in their callers; profile names say "calls ≥ 1 ms"), the "all threads (self time)" profile is complete`,
    ]);
    const file = JSON.parse(readFileSync(out, 'utf8')) as SpeedscopeFile;
    assertSchemaValid(file);
    assertImportable(file, out);
    const names = file.profiles.map((p) => p.name);
    assert.ok(
      names.slice(0, -1).every((name) => name.endsWith(' (calls ≥ 1 ms)')),
      names.join(', '),
    );
    assert.equal(names.at(-1), 'all threads (self time)');
  });

  it('a budget nothing fits: the smallest file, and the warning says it is still over', async () => {
    const out = join(dir, 'tiny.json');
    const result = await runCli(['analyze', trace, `--speedscope=${out}`, '--speedscope-max-mb', '0.0001']);
    assert.equal(result.code, 0, result.stderr);
    const [line, ...more] = warningLines(result.stderr);
    assert.deepEqual(more, []);
    assert.match(
      line,
      /, and is still \d+ bytes with no call in its per-thread timelines: speedscope may fail to load it; narrow the trace with --tid, --pid, --from\/--to or --focus$/,
    );
    const file = JSON.parse(readFileSync(out, 'utf8')) as SpeedscopeFile;
    assertSchemaValid(file);
    for (const profile of file.profiles) if (profile.type === 'evented') assert.deepEqual(profile.events, []);
  });

  for (const bad of ['-1', 'abc', 'Infinity']) {
    it(`--speedscope-max-mb ${bad}: a usage error before the trace is read`, async () => {
      const result = await runCli(['analyze', trace, '--speedscope=-', '--speedscope-max-mb', bad]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--speedscope-max-mb takes a size in MiB \(0: no limit\); got /);
      assert.equal(result.stdout, '');
    });
  }

  it('pyflame view serves the reduced document and prints the same warning', async () => {
    const view = await startView([trace, '--no-open', '--once', '--speedscope-max-mb', '0.1']);
    const response = await fetch(`${view.origin}/profile.speedscope.json`);
    const text = await response.text();
    assert.equal(await view.exited, 0);
    assert.ok(Buffer.byteLength(text) <= BUDGET_BYTES);
    const file = JSON.parse(text) as SpeedscopeFile;
    assertImportable(file, 'view');
    assert.ok(file.profiles[0].name.endsWith(' (calls ≥ 1 ms)'));
    // (view also prints the trace's own warnings: the sample has out-of-order lines)
    const lines = warningLines(view.stderr()).filter((line) => line.includes('speedscope file'));
    assert.equal(lines.length, 1, view.stderr());
    assert.match(lines[0], /written at a resolution of 1 ms/);
  });
});
