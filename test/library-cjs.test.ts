import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, ROOT } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

describe('where users run pyflame', () => {
  it("require('pyflame') works from CommonJS", () => {
    const result = spawnSync(
      process.execPath,
      ['-e', "const p = require('pyflame'); process.stdout.write(typeof p.analyzeTrace + ' ' + typeof p.diffRuns)"],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^function /);
  });

  it('a Node older than "engines" gets one line naming the Node it needs, exit 2', () => {
    // The launcher reads process.versions before loading anything: pretend to be Node 18.
    const preload = join(scratchDir('cjs'), 'old-node.mjs');
    writeFileSync(
      preload,
      "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.20.4' } });\n",
    );
    const result = spawnSync(process.execPath, ['--import', preload, CLI, 'analyze', 'x.txt'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^pyflame: error: pyflame needs Node\.js 20\.19 or newer \(package\.json "engines"\); this is Node\.js 18\.20\.4 \(.*\)\. Install a newer Node\.js, e\.g\. from nodejs\.org or with nvm\.\n$/,
    );
  });
});
