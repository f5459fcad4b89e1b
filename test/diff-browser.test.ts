import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { compareRuns } from '../src/diff/compare.js';
import { loadRun } from '../src/diff/load-run.js';
import { diffFlameGraphSvg } from '../src/diff/render/svg.js';
import { DIFF_COLOURS } from '../src/export/svg/diff-colours.js';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { FIXTURES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

// The differential flame graph as a user sees it: red trail to the slower function, the new
// function in its own colour, hover details with the change, click to zoom.
const dir = scratchDir('diff-browser');

describe('differential flame graph in a browser', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const base = await loadRun(join(FIXTURES, 'diff/shop-base.pyflame.txt.gz'), { filtered: false });
    const head = await loadRun(join(FIXTURES, 'diff/shop-head.pyflame.txt.gz'), { filtered: false });
    writeFileSync(join(dir, 'shop.svg'), diffFlameGraphSvg(compareRuns(base, head)));
    writeFileSync(join(dir, 'same.svg'), diffFlameGraphSvg(compareRuns(base, base)));
    browser = await launchBrowser();
    server = await serve({ '/d/': dir });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const frame = (name: string) => `g.pf-f[data-n="${name}"]`;

  it('colours the regression red up from the root, the new function as new; hover says by how much; click zooms', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/d/shop.svg`);
    const fill = (selector: string) => page.locator(`${selector} rect`).first().getAttribute('fill');
    const redness = (rgb: string | null) => {
      const [r, , b] = (rgb ?? '').match(/\d+/g)!.map(Number);
      return r - b;
    };
    // report() tripled: it and its callers (main, the script's <module>) are the reddest frames.
    assert.ok(redness(await fill(frame('report'))) > 100, `report is red: ${await fill(frame('report'))}`);
    assert.ok(redness(await fill(frame('main'))) > 100, 'main carries the change');
    assert.equal(await fill(frame('audit')), DIFF_COLOURS.new);
    await page.locator(frame('report')).first().hover();
    const details = await page.locator('.pf-details').textContent();
    assert.match(
      details ?? '',
      /^report \(.*shop\.py\) · calls 1 · .* · Δtotal \+\d[\d.]* (ms|s) \(\+\d+%\) · Δself \+/,
    );
    await page.locator(frame('audit')).first().hover();
    assert.match((await page.locator('.pf-details').textContent()) ?? '', /audit .*new in HEAD · Δtotal \+/);
    // Click main: it fills the width; report stays, the interpreter's start-up frames go.
    await page.locator(frame('main')).first().click();
    const width = async (name: string) =>
      parseFloat(
        (await page
          .locator(`${frame(name)} rect`)
          .first()
          .getAttribute('width')) ?? '0',
      );
    assert.equal(await width('main'), 100);
    assert.ok((await width('report')) > 80);
    assert.equal(await page.locator(frame('_find_and_load')).first().isVisible(), false);
    await page.screenshot({ path: join(dir, 'shop.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a run against itself is one neutral colour', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/d/same.svg`);
    const fills = await page
      .locator('g.pf-f rect')
      .evaluateAll((rects) => [...new Set(rects.map((r) => r.getAttribute('fill')))]);
    assert.deepEqual(fills, [DIFF_COLOURS.same]);
    await page.close();
  });
});
