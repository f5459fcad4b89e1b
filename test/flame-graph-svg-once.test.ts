import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { htmlReport } from '../src/export/html/report.js';
import { flameGraphSvg, type SvgOptions } from '../src/export/svg/render.js';
import { SAMPLES } from './helpers/paths.js';

// `analyze --svg --html` draws the analysis's flame graph once: the page inlines the graph the
// --svg output made (render.ts keeps each analysis's graphs by their options). A graph asked for
// again with other options must be drawn for them, never a kept one for other options.

const TRACE = join(SAMPLES, 'threads.pyflame.txt');

const optionsArb: fc.Arbitrary<SvgOptions> = fc.record(
  {
    title: fc.constantFrom('t', 'another <title>'),
    minWidthPercent: fc.constantFrom(0, 0.1, 2, 10),
    inverted: fc.boolean(),
    widthPx: fc.constantFrom(800, 1200),
    frameHeight: fc.constantFrom(14, 16),
    fontSize: fc.constantFrom(10, 12),
    fontFamily: fc.constantFrom('monospace', 'Verdana'),
    nameType: fc.constantFrom('Function:', ''),
  },
  { requiredKeys: [] },
);

describe('flame graph SVG made once per analysis and options', () => {
  it('gives, for any sequence of options, what a fresh analysis draws for each', async () => {
    const kept = await analyzeTrace(TRACE);
    await fc.assert(
      fc.asyncProperty(fc.array(optionsArb, { minLength: 1, maxLength: 4 }), async (sequence) => {
        for (const options of sequence) {
          const fresh = await analyzeTrace(TRACE);
          assert.equal(flameGraphSvg(kept, options), flameGraphSvg(fresh, options));
        }
      }),
      { numRuns: 25 },
    );
  });

  it('the HTML page inlines the graph --svg made, drawn once', async () => {
    const analysis = await analyzeTrace(TRACE);
    const options = { title: 'threads', minWidthPercent: 0.5, inverted: true };
    const svg = flameGraphSvg(analysis, options);
    assert.equal(flameGraphSvg(analysis, { ...options }), svg, 'the same string for equal options');
    const page = htmlReport(analysis, { ...options, filters: [], version: 'test' });
    const body = svg.replace(/^<\?xml[^>]*\?>\s*/, '').trimEnd();
    assert.ok(page.includes(`<div id="flame">${body}</div>`), 'the page inlines that graph');
  });
});
