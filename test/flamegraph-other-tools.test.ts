import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { foldedFlameGraphSvg } from '../src/export/svg/folded-graph.js';
import { treeStacks } from '../src/folded-input/folded-tree.js';
import { readFolded } from '../src/folded-input/read-folded.js';
import { FIXTURES } from './helpers/paths.js';
import { assertWellFormed } from './helpers/xml.js';

// Test inputs of speedscope and inferno (see other-tools/README.md): read as those tools read them.
const OTHER = join(FIXTURES, 'folded', 'other-tools');
const rootTotal = (svg: string) => Number(/data-n="all" [^>]*data-t="([^"]+)"/.exec(svg)?.[1]);

async function drawn(name: string) {
  const profile = await readFolded(join(OTHER, name));
  const svg = foldedFlameGraphSvg(profile, { minWidthPercent: 0 });
  assertWellFormed(svg);
  return { profile, svg, stacks: treeStacks(profile.tree, (f) => profile.labels[f]) };
}

/** The sum of the last counts of a file's lines, skipping # comments (what the graph must total). */
function sumOfCounts(text: string): number {
  let sum = 0;
  for (const line of text.split(/\r?\n/)) {
    const m = /\s(\d+(?:\.\d*)?)\s*$/.exec(line);
    if (m !== null && !line.startsWith('#')) sum += Number(m[1]);
  }
  return sum;
}

describe('folded inputs from other tools’ test suites', () => {
  const simple = [
    ['a;b', 5],
    ['a;b;c', 5],
    ['a;b;d', 4],
  ];

  it('speedscope: UTF-16 LE and BE with a byte order mark, CR LF: the same stacks as plain', async () => {
    for (const name of [
      'speedscope-simple-utf16-le.txt',
      'speedscope-simple-utf16-be.txt',
      'speedscope-simple-crlf.txt',
    ]) {
      const { stacks, svg, profile } = await drawn(name);
      assert.deepEqual(stacks, simple, name);
      assert.equal(rootTotal(svg), 14, name);
      assert.deepEqual(profile.warnings, [], name);
    }
  });

  it('speedscope: comments and invalid lines are skipped and counted', async () => {
    const { stacks, profile } = await drawn('speedscope-simple-with-invalids.txt');
    assert.deepEqual(stacks, simple);
    assert.deepEqual(
      profile.warnings.map((w) => [w.code, w.lines]),
      [
        ['comment', [1]],
        ['missing-count', [2, 8]],
      ],
    );
  });

  it('inferno: austin output with # headers; the total is the stacks’ only', async () => {
    const text = readFileSync(join(OTHER, 'inferno-austin-flames.txt'), 'utf8');
    const { svg, profile } = await drawn('inferno-austin-flames.txt');
    assert.equal(rootTotal(svg), sumOfCounts(text));
    assert.equal(profile.warnings[0].code, 'comment');
    assert.doesNotMatch(svg, /data-n="# /);
  });

  it('inferno: differential files drawn at the second count, coloured by the change', async () => {
    for (const name of ['inferno-diff-folded-default.txt', 'inferno-differential-perf-cycles.txt']) {
      const text = readFileSync(join(OTHER, name), 'utf8');
      const { svg, profile } = await drawn(name);
      assert.ok(profile.baseline !== undefined, name);
      assert.equal(rootTotal(svg), sumOfCounts(text), name);
      let before = 0;
      for (const line of text.split('\n')) {
        const m = /\s(\d+(?:\.\d*)?)\s+\d+(?:\.\d*)?$/.exec(line);
        if (m !== null) before += Number(m[1]);
      }
      assert.equal(profile.baseline.total[0], before, `${name}: before`);
      assert.match(svg, /data-note="before [^"]* · Δ [+-]/);
    }
    // cksum;_start;__libc_start_main;main;cksum 31 56: drawn 56, before 31.
    const { svg } = await drawn('inferno-differential-perf-cycles.txt');
    assert.match(
      svg,
      /data-n="__libc_start_main" [^>]*data-t="56" data-note="before 31 samples · Δ \+25 samples \(\+80\.6%\)"/,
    );
  });
});
