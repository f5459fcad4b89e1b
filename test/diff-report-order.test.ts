import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compareRuns } from '../src/diff/compare.js';
import { loadRun } from '../src/diff/load-run.js';
import { FIXTURES } from './helpers/paths.js';

const DIFF = join(FIXTURES, 'diff');
const load = (name: string) => loadRun(join(DIFF, name), { filtered: false });

describe('diff reports name what they draw', () => {
  it("a call path both sides have is named by HEAD's file (a renamed script)", async () => {
    const diff = compareRuns(await load('shop-base.pyflame.txt.gz'), await load('shop-head-renamed.pyflame.txt.gz'));
    const shared = diff.paths!.filter((path) => path.presence === 'both' && path.name === 'report');
    assert.ok(shared.length > 0);
    for (const path of shared) assert.equal(path.file, '/tmp/pyflame-shop-v2/shop_after.py');
    const vanished = diff.paths!.filter((path) => path.presence === 'vanished');
    assert.ok(vanished.every((path) => !path.file.includes('shop_after.py')), 'a path only BASE has keeps its file');
  });
});
