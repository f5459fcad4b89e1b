import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { foldedFlameGraphSvg } from '../src/export/svg/folded-graph.js';
import { readFolded } from '../src/folded-input/read-folded.js';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { FIXTURES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

// A differential graph (difffolded.pl input) and a flame chart in headless chromium (issue 15).
const dir = scratchDir('flamegraph-browser-diff');

describe('differential graph and flame chart in a browser', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const diff = await readFolded(join(FIXTURES, 'folded/other-tools/inferno-differential-perf-cycles.txt'));
    writeFileSync(join(dir, 'diff.svg'), foldedFlameGraphSvg(diff, { title: 'diff' }));
    const chartInput = writeScratch(dir, 'main;load 2\nmain;work 5\nmain;load 1\nmain;save 2\n', 'chart.folded');
    writeFileSync(
      join(dir, 'chart.svg'),
      foldedFlameGraphSvg(await readFolded(chartInput, { flamechart: true }), { title: 'chart', flamechart: true }),
    );
    browser = await launchBrowser();
    server = await serve({ '/svg/': dir });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('differential: hover tells before and the change; zoom keeps the colours', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 500 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/svg/diff.svg`);
    const libc = page.locator('g.pf-f[data-n="__libc_start_main"]');
    await libc.hover();
    assert.equal(
      await page.locator('.pf-details').textContent(),
      '__libc_start_main · total 56 samples · self 0 samples · 10.92% of all · 10.92% of zoomed frame · before 31 samples · Δ +25 samples (+80.6%)',
    );
    const fill = () => libc.locator('rect').getAttribute('fill');
    const before = await fill();
    await libc.click();
    const width = await libc.locator('rect').getAttribute('width');
    assert.equal(parseFloat(width!), 100, 'zoomed to full width');
    assert.equal(await fill(), before, 'colour unchanged by zoom');
    await page.screenshot({ path: join(dir, 'diff.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('flame chart: frames in input order, not merged across', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 500 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/svg/chart.svg`);
    const xs = await page
      .locator('g.pf-f[data-d="2"]')
      .evaluateAll((gs: { getAttribute(a: string): string | null }[]) =>
        gs.map((g) => [g.getAttribute('data-n'), parseFloat(g.getAttribute('data-x')!)] as const),
      );
    const names = [...xs].sort((a, b) => a[1] - b[1]).map(([name]) => name);
    assert.deepEqual(names, ['load', 'work', 'load', 'save']);
    await page.locator('g.pf-f[data-d="2"][data-n="work"]').click();
    assert.equal(parseFloat((await page.locator('g.pf-f[data-n="work"] rect').getAttribute('width'))!), 100);
    await page.screenshot({ path: join(dir, 'chart.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
