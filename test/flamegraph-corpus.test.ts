import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { foldedFlameGraphSvg } from '../src/export/svg/folded-graph.js';
import { readFolded } from '../src/folded-input/read-folded.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

// When the snapshots of FlameGraph, inferno and speedscope are on this machine (fetched under
// /work/.mirror, never in CI): every one of their folded test inputs is drawn with the right
// total. bench/check-folded-corpus.mjs also compares with flamegraph.pl; CI tests a handful of
// these files copied into test/fixtures/folded/other-tools/.
const MIRROR = process.env.PYFLAME_MIRROR ?? '/work/.mirror';
const SOURCES: [string, RegExp][] = [
  ['brendangregg+FlameGraph', /^test\/results\/.*\.txt$/],
  ['jonhoo+inferno', /^tests\/data\/(flamegraph\/(?!nameattr\/|empty\/).*\.txt|diff-folded\/results\/.*\.txt)$/],
  ['jlfwong+speedscope', /^sample\/profiles\/stackcollapse\/.*\.txt$/],
];
const present = SOURCES.every(([repo]) => existsSync(join(MIRROR, repo, 'repo')));
const scratch = scratchDir('folded-corpus');

/** The sum of the last counts, `#` lines left out (flamegraph.pl's second count of two). */
function sumOfCounts(bytes: Buffer): number {
  let text = bytes.toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) text = Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  let sum = 0;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)) {
    const m = /\s(\d+(?:\.\d*)?)\s*$/.exec(line);
    if (m !== null && !line.startsWith('#')) sum += Number(m[1]);
  }
  return sum;
}

describe('the other tools’ folded test inputs (local snapshots)', {
  skip: present
    ? false
    : `no snapshots under ${MIRROR} (fetched by hand, never in CI); test/flamegraph-other-tools.test.ts covers a handful`,
}, () => {
  it('every file: the drawn total is the sum of its counts', async () => {
    let files = 0;
    for (const [repo, match] of SOURCES) {
      const git = (...args: string[]) =>
        execFileSync('git', ['--git-dir', join(MIRROR, repo, 'repo'), ...args], { maxBuffer: 1 << 28 });
      for (const path of git('ls-tree', '-r', '--name-only', 'HEAD')
        .toString('utf8')
        .split('\n')
        .filter((p) => match.test(p))) {
        const bytes = git('show', `HEAD:${path}`);
        const svg = foldedFlameGraphSvg(await readFolded(writeScratch(scratch, bytes, 'input.txt')), {
          minWidthPercent: 1,
        });
        const total = Number(/data-n="all" [^>]*data-t="([^"]+)"/.exec(svg)?.[1]);
        const expected = sumOfCounts(bytes);
        assert.ok(
          Math.abs(total - expected) <= 1e-6 * Math.max(1, expected),
          `${repo} ${path}: drawn ${total}, counts ${expected}`,
        );
        files++;
      }
    }
    assert.ok(files > 100, `${files} files`);
  });
});
