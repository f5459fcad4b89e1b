import { join } from 'node:path';
import { describe, it } from 'node:test';
import { foldedFlameGraphSvg, type FoldedSvgOptions } from '../src/export/svg/folded-graph.js';
import { readFolded, type ReadFoldedOptions } from '../src/folded-input/read-folded.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES } from './helpers/paths.js';
import { assertWellFormed } from './helpers/xml.js';

// Golden SVGs for pyflame flamegraph's option set (issue 15): re-bless with PYFLAME_BLESS=1 only
// for an intended change.
const FOLDED = join(FIXTURES, 'folded');
const cases: [string, string, ReadFoldedOptions, FoldedSvgOptions][] = [
  ['differential.svg', 'other-tools/inferno-differential-perf-cycles.txt', {}, { title: 'differential' }],
  ['differential-negate.svg', 'other-tools/inferno-diff-folded-default.txt', {}, { title: 'negated', negate: true }],
  ['language-auto.svg', 'inferno-annotated.folded', {}, { title: 'annotated perf stacks' }],
  ['palette-java.svg', 'perf-flamegraph-pl.folded', {}, { title: 'java palette', palette: 'java' }],
  [
    'palette-mem.svg',
    'perf-flamegraph-pl.folded',
    {},
    { title: 'mem', palette: 'mem', subtitle: 'bytes allocated', unit: 'bytes', notes: 'run 7 <ci>' },
  ],
  ['flamechart.svg', 'perf-flamegraph-pl.folded', { flamechart: true }, { title: 'chart', flamechart: true }],
  [
    'reverse-inverted.svg',
    'perf-flamegraph-pl.folded',
    { reverse: true, factor: 2 },
    { title: 'reversed', inverted: true, minWidthPercent: 0 },
  ],
  [
    'sizes-fonts.svg',
    'perf-flamegraph-pl.folded',
    {},
    {
      title: 'sized',
      widthPx: 900,
      frameHeight: 22,
      fontSize: 15,
      fontFamily: 'Verdana, sans-serif',
      nameType: 'Function:',
    },
  ],
];

describe('pyflame flamegraph goldens', () => {
  for (const [golden, input, readOptions, options] of cases) {
    it(golden, async () => {
      const svg = foldedFlameGraphSvg(await readFolded(join(FOLDED, input), readOptions), options);
      assertWellFormed(svg);
      assertGolden(`folded-svg/${golden}`, svg);
    });
  }
});
