import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldedFlameGraphSvg } from '../src/export/svg/folded-graph.js';
import { readFolded } from '../src/folded-input/read-folded.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { assertWellFormed } from './helpers/xml.js';

// Issue 16: an SVG of many frames must open fast. Chromium looks for a standalone SVG's document
// title among the root <svg>'s children each time a <title> is added, so per-frame <title>s with
// every frame a child of the root made opening quadratic (18,738 frames: 19 s against 4 s once the
// frames sat in one group). What is asserted is that structure, not a time.
const scratch = scratchDir('svg-open');

/** A folded file whose graph draws about `n` frames: `n` distinct leaves under two callers. */
function wideFolded(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`main;work_${i % 2};leaf_${i} ${1 + (i % 7)}`);
  return `${lines.join('\n')}\n`;
}

/** The element children of the root <svg> (names in order), read from the markup. */
function rootChildren(svg: string): string[] {
  const names: string[] = [];
  let depth = 0;
  const tags = /<!\[CDATA\[[\s\S]*?\]\]>|<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g;
  for (const match of svg.matchAll(tags)) {
    if (match[2] === undefined) continue;
    const [, closing, name, selfClosing] = match;
    if (closing === '/') {
      depth--;
      continue;
    }
    if (depth === 1) names.push(name);
    if (selfClosing !== '/') depth++;
  }
  return names;
}

describe('SVG open speed (issue 16): frames in one group', () => {
  it('thousands of frames add no children to the root <svg>; each frame keeps its <title>', async () => {
    const file = writeScratch(scratch, wideFolded(3000), 'wide.folded');
    const svg = foldedFlameGraphSvg(await readFolded(file), { minWidthPercent: 0 });
    assertWellFormed(svg);
    const frames = svg.match(/<g class="pf-f"/g)?.length ?? 0;
    assert.ok(frames > 3000, `frames drawn: ${frames}`);
    const children = rootChildren(svg);
    assert.ok(children.length < 40, `the root <svg> has ${children.length} children`);
    assert.equal(children.filter((name) => name === 'g').length, 1, 'one group holds the frames');
    assert.equal(svg.match(/<title>/g)?.length ?? 0, frames, 'a tooltip per frame for a viewer without script');
  });
});
