import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// The package as a user meets it: what `npm pack` ships, the help of every command, completion.

interface PackedFile {
  path: string;
  size: number;
}

function packedFiles(): PackedFile[] {
  // --ignore-scripts: no rebuild (npm test has just built dist/).
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out) as { files: PackedFile[] }[])[0].files;
}

describe('the npm package', () => {
  it('ships what a user needs and nothing else', () => {
    const files = packedFiles();
    const paths = new Set(files.map((f) => f.path));
    for (const needed of [
      'bin/pyflame.js',
      'bin/load-bundle.js',
      'dist/src/cli-bundle/main.cjs',
      'dist/src/cli-bundle/parse-worker.js',
      'dist/src/cli/main.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/wasm/fast-lines.wasm',
      'dist/src/browser/flame-graph.js',
      'dist/src/browser/report-page.js',
      'dist/src/browser/timeline-chart.js',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      'package.json',
      'docs/index.md',
      'docs/ci.md',
      'schema/analysis-v2.schema.json',
      'schema/diff-v1.schema.json',
      'probes/pyflame.bt',
      'recorder/pyflame_recorder.py',
      'recorder/calibrate.py',
    ]) {
      assert.ok(paths.has(needed), `${needed} is in the package`);
    }
    const unwanted = files.filter(
      (f) =>
        /^(test|dist\/test|sample-traces|bench|src|out|node_modules)\//.test(f.path) ||
        f.path.endsWith('.tsbuildinfo') ||
        // Source maps point at src/, which is not shipped: they would only add weight.
        f.path.endsWith('.map') ||
        // V8's code cache fits only the Node that made it (bin/load-bundle.js): not the user's.
        f.path.endsWith('.cache'),
    );
    assert.deepEqual(
      unwanted.map((f) => f.path),
      [],
    );
    const total = files.reduce((sum, f) => sum + f.size, 0);
    assert.ok(total < 3 * 1024 * 1024, `unpacked size ${total} bytes stays under 3 MiB`);
  });

  it('every command has --help with examples, and pyflame --help lists them all', async () => {
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    const commands = [...top.stdout.matchAll(/^ {2}pyflame (\w+)/gm)].map((m) => m[1]);
    for (const command of ['analyze', 'convert', 'diff', 'flamegraph', 'view', 'completion'])
      assert.ok(commands.includes(command), `${command} is listed`);
    assert.match(top.stdout, /^Examples:/m);
    assert.match(top.stdout, /Exit status: 0 done, 1 a diff rule fired, 2 bad usage/);
    for (const command of commands.filter((c) => c !== 'completion')) {
      const help = await runCli([command, '--help']);
      assert.equal(help.code, 0, `${command} --help`);
      assert.match(help.stdout, new RegExp(`^pyflame ${command}`, 'm'), `${command} --help shows its usage`);
      assert.match(help.stdout, /^Examples:\n {2}(sudo )?pyflame /m, `${command} --help has examples`);
    }
  });

  it("--version is pyflame's, wherever it runs (not the package.json of the current folder)", async () => {
    const dir = scratchDir('package');
    writeFileSync(join(dir, 'package.json'), '{"name":"someone-else","version":"9.9.9"}');
    const result = await runCli(['--version'], { cwd: dir });
    assert.equal(
      result.stdout.trim(),
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });

  it('prints a shell completion script that completes commands and flags', async () => {
    const script = await runCli(['completion']);
    assert.equal(script.code, 0);
    assert.match(script.stdout, /_pyflame_yargs_completions/);
    assert.match(script.stdout, /complete -o bashdefault -o default -F _pyflame_yargs_completions pyflame/);
    const commands = await runCli(['--get-yargs-completions', 'pyflame', '']);
    assert.deepEqual(
      ['analyze', 'diff', 'view'].filter((c) => commands.stdout.split('\n').includes(c)),
      ['analyze', 'diff', 'view'],
    );
    const flags = await runCli(['--get-yargs-completions', 'pyflame', 'diff', '--fa']);
    assert.ok(flags.stdout.split('\n').includes('--fail-on'), flags.stdout);
  });
});
