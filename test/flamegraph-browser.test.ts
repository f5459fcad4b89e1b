import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { foldedFlameGraphSvg } from '../src/export/svg/folded-graph.js';
import { readFolded } from '../src/folded-input/read-folded.js';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { FIXTURES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

// A flame graph of another tool's folded stacks in headless chromium: the details line speaks
// the file's unit (no calls), and click-to-zoom works as in pyflame's own graphs.
const dir = scratchDir('flamegraph-browser');

describe('folded-stacks flame graph in a browser', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const profile = await readFolded(join(FIXTURES, 'folded/python-labels.folded'));
    writeFileSync(join(dir, 'samples.svg'), foldedFlameGraphSvg(profile, { title: 'python-labels' }));
    writeFileSync(join(dir, 'micros.svg'), foldedFlameGraphSvg(profile, { title: 'python-labels', unit: 'µs' }));
    writeFileSync(
      join(dir, 'sized.svg'),
      foldedFlameGraphSvg(profile, {
        title: 'sized',
        widthPx: 700,
        frameHeight: 24,
        fontSize: 16,
        nameType: 'Function:',
      }),
    );
    browser = await launchBrowser();
    server = await serve({ '/svg/': dir });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('hover shows the unit, click zooms', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 500 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/svg/samples.svg`);
    const main = page.locator('g.pf-f[data-n="main"]');
    await main.hover();
    const details = (await page.locator('.pf-details').textContent())!;
    assert.equal(
      details,
      'main (app.py:40) · total 255 samples · self 0 samples · 90.75% of all · 90.75% of zoomed frame',
    );
    assert.doesNotMatch(details, /calls/);
    await page.screenshot({ path: join(dir, 'samples.png') });

    const loadRows = page.locator('g.pf-f[data-n="load_rows"]');
    await loadRows.click();
    const rect = (selector: string) =>
      page
        .locator(`g.pf-f${selector} rect`)
        .evaluate((r: { getAttribute(a: string): string | null }) => [
          parseFloat(r.getAttribute('x')!),
          parseFloat(r.getAttribute('width')!),
        ]);
    assert.deepEqual(await rect('[data-n="load_rows"]'), [0, 100], 'the clicked frame fills the width');
    // Its children spread out: encode_row (150) and decode (45) of its 195.
    const [, encodeWidth] = await rect('[data-n="encode_row"][data-l="app/db.py:30"]');
    assert.ok(Math.abs(encodeWidth - (100 * 150) / 195) < 1e-3, `encode_row is ${encodeWidth}% wide`);
    assert.equal(
      await page.locator('g.pf-f[data-n="render"]').evaluate((g: { style: { display: string } }) => g.style.display),
      'none',
      'a frame outside the zoom is hidden',
    );
    await page.locator('g.pf-f[data-n="encode_row"][data-l="app/db.py:30"]').hover();
    assert.match(
      (await page.locator('.pf-details').textContent())!,
      /^encode_row \(app\/db\.py:30\) · total 150 samples · self 150 samples · 53\.38% of all · 76\.92% of zoomed frame$/,
    );
    await page.screenshot({ path: join(dir, 'samples-zoomed.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a time unit is shown as durations, as the <title> writes them', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 500 } });
    await page.goto(`${server.url}/svg/micros.svg`);
    await page.locator('g.pf-f[data-n="main"]').hover();
    assert.equal(
      await page.locator('.pf-details').textContent(),
      'main (app.py:40) · total 255 µs · self 0 ns · 90.75% of all · 90.75% of zoomed frame',
    );
    await page.close();
  });

  it('--width, --height, --fontsize and --nametype: a fixed-size graph, labels fitted to its font, the prefix on the details line', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/svg/sized.svg`);
    const svg = page.locator('svg').first();
    assert.equal(Math.round((await svg.boundingBox())!.width), 700, 'as wide as --width, not the window');
    const main = page.locator('g.pf-f[data-n="main"]');
    const rect = (await main.locator('rect').boundingBox())!;
    assert.equal(Math.round(rect.height), 23, 'a frame is --height tall (less the 1 px gap)');
    // In the page (a string: these tests are type-checked without the DOM library).
    const fontSize = await page.evaluate(
      `getComputedStyle(document.querySelector('g.pf-f[data-n="main"] text')).fontSize`,
    );
    assert.equal(fontSize, '16px');
    // Every drawn label fits its frame at that font.
    const overflowing = await page.evaluate(
      `[...document.querySelectorAll('g.pf-f')].filter((g) => {
        const text = g.querySelector('text');
        return text !== null && text.textContent !== '' && text.getComputedTextLength() > g.querySelector('rect').getBoundingClientRect().width;
      }).length`,
    );
    assert.equal(overflowing, 0);
    await main.hover();
    await page.waitForFunction(`document.querySelector('.pf-details').textContent.startsWith('Function: main')`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
