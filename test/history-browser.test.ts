import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { openHistory } from '../src/history/history-db.js';
import { runSourcesOf } from '../src/history/sources.js';
import { addToStore } from '../src/history/store.js';
import { functionTrend } from '../src/history/trend.js';
import { trendHtmlPage } from '../src/history/trend-html.js';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { HOSTILE, writeHostileTrace } from './helpers/hostile-trace.js';
import { scratchDir } from './helpers/scratch.js';

// `history trend --html` in headless chromium: the page draws a chart per function, shows hostile
// names as text, runs no script and asks for nothing but itself.
const dir = scratchDir('history-browser');

describe('history trend --html in a browser', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const store = join(dir, 'store');
    const trace = writeHostileTrace(dir);
    for (const commit of ['c1', '<b>c2</b>', 'c3'])
      await addToStore(store, await runSourcesOf(trace, [{ key: 'commit', value: commit }]));
    const engine = await openHistory(store);
    try {
      const trends = [
        await functionTrend(engine, { name: HOSTILE.fn, file: null }, { by: 'commit' }),
        await functionTrend(engine, { name: HOSTILE.other, file: null }),
      ];
      writeFileSync(join(dir, 'trend.html'), trendHtmlPage(trends, store));
    } finally {
      engine.close();
    }
    server = await serve({ '/': dir });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders each trend as a chart and a table, hostile names as text, with no error and no fetch', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    let dialogs = 0;
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    page.on('dialog', async (dialog) => {
      dialogs++;
      await dialog.dismiss();
    });
    await page.goto(`${server.url}/trend.html`);
    // A string, run in the page: this project's TypeScript has no DOM types.
    const state = (await page.evaluate(`({
      headings: [...document.querySelectorAll('h2')].map((h) => h.textContent),
      charts: [...document.querySelectorAll('section.trend svg')].map((svg) => ({
        dots: svg.querySelectorAll('circle').length,
        paths: [...svg.querySelectorAll('path')].map((path) => path.getAttribute('d')),
        width: svg.getBoundingClientRect().width,
      })),
      firstColumn: [...document.querySelectorAll('section.trend:first-of-type td.key')].map((td) => td.textContent),
      scripts: document.scripts.length,
      injected: document.querySelectorAll('img, b, section script').length,
    })`)) as {
      headings: string[];
      charts: { dots: number; paths: string[]; width: number }[];
      firstColumn: string[];
      scripts: number;
      injected: number;
    };
    await page.screenshot({ path: join(dir, 'trend.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [`${server.url}/trend.html`]);
    assert.equal(dialogs, 0);
    assert.equal(state.scripts, 0);
    assert.equal(state.injected, 0);
    assert.equal(state.headings.length, 2);
    assert.ok(state.headings[0].startsWith(`${HOSTILE.fn} (`), state.headings[0]);
    assert.ok(state.headings[1].startsWith(HOSTILE.other.replace('\u2029', '\\u2029')), state.headings[1]);
    assert.deepEqual(state.firstColumn, ['c1', '<b>c2</b>', 'c3']);
    // by commit: 3 points; without --by: the 3 runs. Two dots (self, total) per point, two lines.
    for (const chart of state.charts) {
      assert.equal(chart.dots, 6);
      assert.equal(chart.paths.length, 2);
      assert.match(chart.paths[0], /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){2}$/);
      assert.ok(chart.width > 100);
    }
  });
});
