import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/paths.js';

// The code has one format and passes the linter (biome.json); `npm run format` rewrites it.
// Biome reads the source tree, not dist/, so this holds whatever was built.
describe('format and lint', () => {
  it('biome ci finds nothing to change or report', () => {
    const biome = join(ROOT, 'node_modules/.bin/biome');
    const result = spawnSync(biome, ['ci', '--colors=off', '--max-diagnostics=20', '.'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.error, undefined, `cannot run ${biome}: ${result.error?.message}`);
    assert.equal(
      result.status,
      0,
      `${result.stdout}\n${result.stderr}\n(run \`npm run format\`, then fix what the linter says)`,
    );
  });
});
