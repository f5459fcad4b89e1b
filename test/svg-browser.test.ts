import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { flameGraphSvg } from '../src/export/svg/render.js';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { SAMPLES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

// The SVG flame graph's script in headless chromium: hover details, click to zoom, reset,
// regex search with a case toggle, and two graphs inlined in one page kept apart.
const dir = scratchDir('svg-browser');

describe('SVG flame graphs in a browser', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const threads = flameGraphSvg(await analyzeTrace(join(SAMPLES, 'threads.pyflame.txt')), {
      title: 'threads.pyflame',
    });
    const recursion = flameGraphSvg(await analyzeTrace(join(SAMPLES, 'recursion.pyflame.txt')), {
      title: 'recursion.pyflame',
    });
    writeFileSync(join(dir, 'threads.svg'), threads);
    const inline = (svg: string) => svg.replace(/^<\?xml[^>]*\?>\n/, '');
    writeFileSync(
      join(dir, 'two.html'),
      `<!doctype html><html><head><meta charset="utf-8"><title>two</title></head><body>\n<div id="one">${inline(threads)}</div>\n<div id="two">${inline(recursion)}</div>\n</body></html>\n`,
    );
    browser = await launchBrowser();
    server = await serve({ '/svg/': dir });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string): Promise<{ page: Page; outside: string[]; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) outside.push(request.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/svg/${path}`);
    return { page, outside, errors };
  }

  /** The frames' state in the SVG under `scope`: name, shown, rect x/width (%), dimmed, highlighted. */
  function frames(page: Page, scope: string) {
    type El = {
      getAttribute(name: string): string | null;
      querySelector(s: string): El | null;
      querySelectorAll(s: string): Iterable<El>;
      classList: { contains(c: string): boolean };
      style: { display: string };
    };
    return page.evaluate((scope) => {
      const root = (globalThis as unknown as { document: El }).document.querySelector(scope)!;
      return [...root.querySelectorAll('g.pf-f')].map((g) => {
        const rect = g.querySelector('rect')!;
        return {
          name: g.getAttribute('data-n')!,
          depth: Number(g.getAttribute('data-d')),
          shown: g.style.display !== 'none',
          x: parseFloat(rect.getAttribute('x')!),
          width: parseFloat(rect.getAttribute('width')!),
          dim: g.classList.contains('pf-dim'),
          hit: g.classList.contains('pf-hit'),
        };
      });
    }, scope);
  }

  it('hover, zoom, reset, search and case toggle', async () => {
    const { page, outside, errors } = await open('threads.svg');
    const all = await frames(page, 'svg');
    const target = all.find((f) => f.depth === 2 && f.width > 5 && f.width < 90)!;
    assert.ok(target !== undefined, 'a mid-sized frame at depth 2');
    const index = all.indexOf(target);
    const g = page.locator('g.pf-f').nth(index);
    await g.hover();
    const details = await page.locator('.pf-details').textContent();
    assert.ok(details!.includes(target.name), `details name the frame: ${details}`);
    assert.match(
      details!,
      /calls \d+ · self [\d.]+ \S+ · total [\d.]+ \S+ · [\d.]+% of all · 100\.00% of zoomed frame|[\d.]+% of zoomed frame/,
    );
    await page.screenshot({ path: join(dir, 'threads.png') });

    await g.click();
    let after = await frames(page, 'svg');
    assert.ok(
      Math.abs(after[index].x) < 1e-6 && Math.abs(after[index].width - 100) < 1e-6,
      'the clicked frame fills the width',
    );
    const ancestors = after.filter((f) => f.depth < target.depth && f.shown);
    assert.equal(ancestors.length, target.depth);
    assert.ok(
      ancestors.every((f) => f.dim),
      'ancestors are dimmed',
    );
    assert.ok(
      after.some((f) => !f.shown),
      'frames outside the zoomed one are hidden',
    );
    await page.locator('g.pf-f').nth(index).hover();
    assert.match((await page.locator('.pf-details').textContent())!, /100\.00% of zoomed frame/);
    await page.screenshot({ path: join(dir, 'threads-zoomed.png') });
    assert.ok(await page.locator('.pf-reset').isVisible());
    await page.locator('.pf-reset').click();
    after = await frames(page, 'svg');
    assert.deepEqual(
      after.map((f) => [f.x, f.width, f.shown, f.dim]),
      all.map((f) => [f.x, f.width, true, false]),
      'reset restores the whole graph',
    );

    // Search: a regex through the prompt; case-sensitive first, then ignoring case.
    const word = target.name.replace(/[^A-Za-z_]/g, '').slice(0, 4) || 'a';
    const pattern = word.toUpperCase();
    page.once('dialog', (dialog) => void dialog.accept(pattern));
    await page.locator('.pf-search').click();
    const sensitive = (await frames(page, 'svg')).filter((f) => f.hit).length;
    assert.match((await page.locator('.pf-matched').textContent())!, /^Matched: [\d.]+%$/);
    await page.locator('.pf-case').click();
    const insensitive = (await frames(page, 'svg')).filter((f) => f.hit);
    assert.ok(insensitive.length > sensitive, `ignoring case matches more (${insensitive.length} > ${sensitive})`);
    assert.ok(insensitive.every((f) => new RegExp(pattern, 'i').test(f.name)));
    assert.match((await page.locator('.pf-matched').textContent())!, /^Matched: [\d.]+%$/);
    assert.notEqual((await page.locator('.pf-matched').textContent())!, 'Matched: 0.00%');
    await page.screenshot({ path: join(dir, 'threads-search.png') });
    // Ctrl-F prompts too.
    page.once('dialog', (dialog) => void dialog.accept('^$nothing'));
    await page.mouse.move(600, 300);
    await page.keyboard.press('Control+f');
    assert.equal((await page.locator('.pf-matched').textContent())!, 'Matched: 0.00%');
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, [], 'no request leaves 127.0.0.1');
    await page.close();
  });

  it('two graphs inlined in one page do not interfere', async () => {
    const { page, outside, errors } = await open('two.html');
    const before1 = await frames(page, '#one svg');
    const before2 = await frames(page, '#two svg');
    const index = before1.findIndex((f) => f.depth === 2 && f.width > 5 && f.width < 90);
    await page.locator('#one g.pf-f').nth(index).click();
    const after1 = await frames(page, '#one svg');
    assert.ok(Math.abs(after1[index].width - 100) < 1e-6, 'the first graph zoomed');
    assert.deepEqual(await frames(page, '#two svg'), before2, 'the second graph is unchanged');
    await page.locator('#two g.pf-f').nth(1).hover();
    assert.match((await page.locator('#two .pf-details').textContent())!, /calls/);
    assert.equal((await page.locator('#one .pf-details').textContent())!.trim(), '');
    assert.ok(await page.locator('#one .pf-reset').isVisible());
    assert.ok(!(await page.locator('#two .pf-reset').isVisible()));
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, [], 'no request leaves 127.0.0.1');
    await page.screenshot({ path: join(dir, 'two.png'), fullPage: true });
    await page.close();
  });
});
