import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { HOSTILE_TRACE } from './helpers/merge-inputs.js';
import { SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// pyflame merge --html in headless chromium: the page loads nothing from elsewhere, breaks no
// rule of its policy, draws the merged flame graph with its script working, and shows hostile
// names as text.
const dir = scratchDir('merge-browser');

describe('pyflame merge --html in a browser', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const hostile = join(dir, 'hostile.txt');
    writeFileSync(hostile, HOSTILE_TRACE);
    const result = await runCli([
      'merge',
      join(SAMPLES, 'threads.pyflame.txt'),
      hostile,
      '--html',
      join(dir, 'merged.html'),
    ]);
    assert.equal(result.code, 0, result.stderr);
    browser = await launchBrowser();
    server = await serve({ '/page/': dir });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the runs, the functions and a working flame graph, with no error and no request elsewhere', async () => {
    const html = readFileSync(join(dir, 'merged.html'), 'utf8');
    // The hostile names are text, never markup.
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.ok(!html.includes('<img src=x'));
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const outside: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) outside.push(request.url());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${server.url}/page/merged.html`);
    assert.equal(await page.locator('h1').textContent(), 'pyflame merge: 2 runs');
    assert.match((await page.locator('body').textContent()) ?? '', /within 1% of the exact ones/);
    assert.ok((await page.locator('td.name', { hasText: '<img src=x onerror=alert(2)>' }).count()) >= 1);
    assert.equal(await page.locator('img').count(), 0);
    const frames = page.locator('.flame svg g.pf-f');
    assert.ok((await frames.count()) > 10, 'the flame graph has frames');
    // The graph's script runs inlined: hovering a frame names it in the details line.
    const frame = page.locator('.flame svg g.pf-f[data-d="1"]').first();
    const name = (await frame.getAttribute('data-n'))!;
    await frame.hover();
    assert.ok(((await page.locator('.flame .pf-details').textContent()) ?? '').includes(name));
    assert.deepEqual(problems, []);
    assert.deepEqual(outside, []);
    await page.close();
  });
});
