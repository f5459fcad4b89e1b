import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Analysis } from '../src/analyze/analysis.js';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { durationHistogram } from '../src/analyze/gc-histogram.js';
import { formatDuration } from '../src/text/units.js';
import { htmlReport } from '../src/export/html/report.js';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { HOSTILE, writeHostileTrace } from './helpers/hostile-trace.js';
import { SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

// The HTML report in headless chromium: no request leaves the page, the table sorts numerically
// and filters, the flame graph answers hover and click, the GC charts and the import tree work,
// hostile names run nothing.
const dir = scratchDir('html-browser');

/** A trace of `count` functions, each called once in turn (f0 fastest): a table too long to draw whole. */
function manyFunctions(count: number): string {
  const lines: string[] = [];
  let ts = 1000;
  for (let i = 0; i < count; i++) {
    lines.push(`${ts}\t1\t1\tfunction__entry\t/m/f.py\tf${i}\t${i + 1}`);
    ts += 10 + i;
    lines.push(`${ts}\t1\t1\tfunction__return\t/m/f.py\tf${i}\t${i + 2}`);
    ts += 1;
  }
  return `${lines.join('\n')}\n`;
}

describe('the HTML report in a browser', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  let gcAnalysis: Analysis;
  before(async () => {
    gcAnalysis = await analyzeTrace(join(SAMPLES, 'imports-gc.pyflame.txt'));
    writeFileSync(
      join(dir, 'imports-gc.html'),
      htmlReport(gcAnalysis, { version: 'test', title: 'imports-gc.pyflame' }),
    );
    writeFileSync(
      join(dir, 'many.html'),
      htmlReport(await analyzeTrace(writeScratch(dir, manyFunctions(6000))), { version: 'test' }),
    );
    const hostile = htmlReport(await analyzeTrace(writeHostileTrace(dir)), {
      version: 'test',
      title: HOSTILE.fn,
      filters: [HOSTILE.module],
    });
    writeFileSync(join(dir, 'hostile.html'), hostile);
    // The same page with a fetch slipped in: the page's policy must stop it.
    writeFileSync(
      join(dir, 'leak.html'),
      hostile.replace(
        '<body>',
        '<body><img src="/leak.png"><link rel="stylesheet" href="/leak.css"><iframe src="/leak.html"></iframe>',
      ),
    );
    browser = await launchBrowser();
    server = await serve({ '/r/': dir });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens a page, recording every request, page error and dialog. */
  async function open(path: string, scheme: 'light' | 'dark' = 'light') {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
    const requests: string[] = [];
    const errors: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(`${server.url}/r/${path}`);
    return { page, requests, errors, dialogs };
  }

  /** The function table's rows as shown: cell texts. */
  function tableRows(page: Page): Promise<string[][]> {
    return page
      .locator('#fn-table tbody tr:not(.spacer)')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          Array.from((tr as unknown as { cells: ArrayLike<{ textContent: string }> }).cells, (td) => td.textContent),
        ),
      );
  }

  it('loads nothing but itself; sorts numerically; filters', async () => {
    const { page, requests, errors } = await open('imports-gc.html');
    await page.screenshot({ path: join(dir, 'imports-gc-top.png') });
    const functions = gcAnalysis.functions;
    let rows = await tableRows(page);
    assert.equal(rows.length, functions.length, 'every function (under 5,000: no limit)');
    assert.deepEqual(
      rows.map((row) => row[0]),
      functions.map((f) => f.name),
      'by self time at first, as the analysis orders them',
    );
    // Cells read as the terminal report writes durations.
    const first = functions[0];
    assert.deepEqual(rows[0].slice(2, 5), [
      String(first.calls),
      formatDuration(first.selfNs),
      formatDuration(first.totalNs),
    ]);

    // p95, largest first: numbers compared, not their text (9.77 ms < 10.5 ms), null (no complete call) last.
    await page.locator('#fn-table th', { hasText: 'p95' }).click();
    rows = await tableRows(page);
    const byP95 = functions
      .map((f, i) => ({ f, i }))
      .sort((a, b) =>
        a.f.durations === undefined || b.f.durations === undefined
          ? Number(a.f.durations === undefined) - Number(b.f.durations === undefined) || a.i - b.i
          : b.f.durations.p95Ns - a.f.durations.p95Ns || a.i - b.i,
      );
    assert.deepEqual(
      rows.map((row) => `${row[0]} ${row[1]}`),
      byP95.map(({ f }) => `${f.name} ${f.file}:${f.line}`),
    );
    assert.equal(await page.locator('#fn-table th', { hasText: 'p95' }).getAttribute('aria-sort'), 'descending');
    const textOrder = [...rows.map((row) => row[7])].sort();
    assert.notDeepEqual(
      rows.map((row) => row[7]),
      textOrder,
      'the text order differs, so this checks the numeric one',
    );
    // Again: ascending.
    await page.locator('#fn-table th', { hasText: 'calls' }).click();
    await page.locator('#fn-table th', { hasText: 'calls' }).click();
    rows = await tableRows(page);
    const calls = rows.map((row) => Number(row[2].replace(/,/g, '')));
    assert.deepEqual(
      calls,
      [...functions.map((f) => f.calls)].sort((a, b) => a - b),
    );
    assert.equal(await page.locator('#fn-table th', { hasText: 'calls' }).getAttribute('aria-sort'), 'ascending');
    await page.locator('#functions').screenshot({ path: join(dir, 'table-sorted.png') });

    await page.locator('#fn-filter').fill('ENUM');
    rows = await tableRows(page);
    const matching = functions.filter((f) => `${f.name} ${f.file}:${f.line}`.toLowerCase().includes('enum'));
    assert.ok(matching.length > 0 && matching.length < functions.length);
    assert.equal(rows.length, matching.length);
    assert.ok(rows.every((row) => `${row[0]} ${row[1]}`.toLowerCase().includes('enum')));
    assert.equal(await page.locator('#fn-status').textContent(), `${matching.length} of ${functions.length} functions`);
    await page.locator('#fn-filter').fill('');
    assert.equal((await tableRows(page)).length, functions.length);

    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [`${server.url}/r/imports-gc.html`], 'one request: the page');
    await page.close();
  });

  it('the inlined flame graph: hover tooltip, click to zoom, Ctrl-F only over the graph', async () => {
    const { page, requests, errors, dialogs } = await open('imports-gc.html');
    const flame = page.locator('#flame svg');
    const frames = flame.locator('g.pf-f');
    const widths = await frames.evaluateAll((gs) =>
      gs.map((g) => Number((g as unknown as { getAttribute(n: string): string }).getAttribute('data-w'))),
    );
    const index = widths.findIndex((w, i) => i > 0 && w > 0.05 && w < 0.9);
    const frame = frames.nth(index);
    const name = await frame.getAttribute('data-n');
    await frame.hover();
    assert.match(
      (await flame.locator('.pf-details').textContent())!,
      new RegExp(`^${name!.replace(/[.*+?^${}()|[\]\\<>]/g, '\\$&')} \\(.*calls \\d+`),
    );
    await page.locator('#flame').screenshot({ path: join(dir, 'flame-hover.png') });
    await frame.click();
    const width = await frame.locator('rect').getAttribute('width');
    assert.equal(parseFloat(width!), 100, 'the clicked frame fills the graph');
    assert.ok(await flame.locator('.pf-reset').isVisible());
    await page.locator('#flame').screenshot({ path: join(dir, 'flame-zoomed.png') });
    await flame.locator('.pf-reset').click();

    // Ctrl-F over the table: the browser's find (no prompt); over the graph: the graph's search.
    await page.locator('#fn-table').hover();
    await page.keyboard.press('Control+f');
    assert.deepEqual(dialogs, []);
    await frames.nth(0).hover();
    await page.keyboard.press('Control+f');
    assert.equal(dialogs.length, 1);
    assert.match(dialogs[0], /^prompt: Search for a function/);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [`${server.url}/r/imports-gc.html`]);
    await page.close();
  });

  it('GC histogram bars, timeline tooltips, the import tree opens', async () => {
    const { page, errors } = await open('imports-gc.html');
    const buckets = durationHistogram(gcAnalysis.gc.pauses.map((p) => p.durationNs));
    assert.equal(await page.locator('#gc-histogram rect.bar').count(), buckets.length);
    const heights = await page
      .locator('#gc-histogram rect.bar')
      .evaluateAll((rects) => rects.map((r) => (r as unknown as { getBBox(): { height: number } }).getBBox().height));
    const tallest = buckets.reduce((best, b, i) => (b.count > buckets[best].count ? i : best), 0);
    assert.equal(heights.indexOf(Math.max(...heights)), tallest, 'the tallest bar is the fullest bucket');
    assert.deepEqual(
      heights.map((h) => h === 0),
      buckets.map((b) => b.count === 0),
      'empty buckets draw no bar',
    );
    assert.equal(await page.locator('#gc-timeline rect.pause').count(), 55);
    assert.deepEqual(await page.locator('#gc-generations tbody tr td:first-child').allTextContents(), ['0', '1', '2']);

    const pause = page.locator('#gc-timeline rect.gen2').first();
    await pause.hover({ force: true });
    const tip = page.locator('#tip');
    assert.ok(await tip.isVisible(), 'the tooltip shows');
    assert.match((await tip.textContent())!, /^generation 2 at [\d.]+ \S+: [\d.]+ \S+, [\d,]+ collected, thread \d+$/);
    await page.locator('#gc').screenshot({ path: join(dir, 'gc.png') });
    await page.locator('#gc-histogram rect.bar').nth(tallest).hover();
    assert.match((await tip.textContent())!, new RegExp(`: ${buckets[tallest].count} pauses$`));

    // The import tree: closed at first; a click opens one level; expand all opens every level.
    const tree = page.locator('#import-tree');
    const details = tree.locator('details');
    assert.ok((await details.count()) > 0);
    const module = (i: number) => tree.locator(':scope > details, :scope > .leaf').nth(i);
    const firstTop = module(0);
    const child = firstTop.locator(':scope > .kids > *').first();
    assert.ok(!(await child.isVisible()), 'children hidden while closed');
    await firstTop.locator(':scope > summary').click();
    assert.ok(await child.isVisible(), 'children shown once opened');
    await page.locator('#imports-open').click();
    assert.equal(await tree.locator('details:not([open])').count(), 0);
    const last = tree.locator('.leaf').last();
    assert.ok(await last.isVisible());
    await page.locator('#imports').screenshot({ path: join(dir, 'imports.png') });
    await page.locator('#imports-close').click();
    assert.equal(await tree.locator('details[open]').count(), 0);
    // Top level, slowest first.
    const cumulative = await tree
      .locator(':scope > details > summary, :scope > .leaf')
      .evaluateAll((els) =>
        els.map(
          (el) =>
            (el as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string }> }).querySelectorAll(
              '.t',
            )[1].textContent,
        ),
      );
    const topLevel = gcAnalysis.imports.filter((r) => r.depth === 0).sort((a, b) => b.durationNs - a.durationNs);
    assert.deepEqual(
      cumulative,
      topLevel.map((r) => formatDuration(r.durationNs)),
    );
    assert.deepEqual(errors, []);
    await page.screenshot({ path: join(dir, 'imports-gc-full.png'), fullPage: true });
    await (await open('imports-gc.html', 'dark')).page.screenshot({
      path: join(dir, 'imports-gc-dark.png'),
      fullPage: true,
    });
    await page.close();
  });

  it('a huge table starts with 1,000 rows and shows all on request, drawing only the rows in view', async () => {
    const { page, errors } = await open('many.html');
    const scroller = page.locator('#functions .scroll');
    const scrollHeight = () => scroller.evaluate((el) => (el as unknown as { scrollHeight: number }).scrollHeight);
    assert.equal(await page.locator('#fn-status').textContent(), 'showing the first 1,000 of 6,000 functions');
    const rowHeight = await page
      .locator('#fn-table tbody tr:not(.spacer)')
      .nth(1)
      .evaluate(
        (tr) => (tr as unknown as { getBoundingClientRect(): { height: number } }).getBoundingClientRect().height,
      );
    assert.ok(Math.abs((await scrollHeight()) - 1000 * rowHeight) < 100, 'the scrollbar spans 1,000 rows');
    assert.ok((await page.locator('#fn-table tbody tr:not(.spacer)').count()) < 200, 'not all of them drawn');
    // Largest self time first: f5999 (the longest call).
    assert.equal(
      await page.locator('#fn-table tbody tr:not(.spacer)').first().locator('td').first().textContent(),
      'f5999',
    );
    await page.locator('#fn-table th', { hasText: 'function' }).click();
    assert.equal(
      await page.locator('#fn-table tbody tr:not(.spacer)').first().locator('td').first().textContent(),
      'f0',
    );
    // Show all: 6,000 rows, drawn only where the table is scrolled to.
    await page.locator('#fn-all').click();
    assert.equal(await page.locator('#fn-status').textContent(), '6,000 of 6,000 functions');
    assert.ok(!(await page.locator('#fn-all').isVisible()));
    const drawn = await page.locator('#fn-table tbody tr:not(.spacer)').count();
    assert.ok(drawn > 20 && drawn < 200, `${drawn} rows drawn`);
    assert.ok(Math.abs((await scrollHeight()) - 6000 * rowHeight) < 100, 'the scrollbar spans every row');
    const names = Array.from({ length: 6000 }, (_, i) => `f${i}`).sort();
    assert.deepEqual(
      (await tableRows(page)).slice(0, 5).map((row) => row[0]),
      names.slice(0, 5),
    );
    await page.locator('#functions .scroll').evaluate((el) => {
      (el as unknown as { scrollTop: number }).scrollTop = 1e9;
    });
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
        ).document.querySelector('#fn-table tbody tr:nth-last-child(2) td')?.textContent === 'f999',
    );
    const bottom = await tableRows(page);
    assert.deepEqual(
      bottom.slice(-3).map((row) => row[0]),
      names.slice(-3),
      'scrolled to the end: the last rows',
    );
    await page.locator('#functions').screenshot({ path: join(dir, 'many-bottom.png') });
    // Midway: the rows drawn are the ones at that offset.
    await page.locator('#functions .scroll').evaluate((el, y) => {
      (el as unknown as { scrollTop: number }).scrollTop = y;
    }, 3000 * rowHeight);
    await page.waitForFunction(
      (expected) =>
        Array.from(
          (
            globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string }> } }
          ).document.querySelectorAll('#fn-table tbody tr:not(.spacer) td:first-child'),
          (td) => td.textContent,
        ).includes(expected),
      names[3005],
    );
    await page.locator('#fn-filter').fill('f12');
    // f12, f120-f129, f1200-f1299: 111.
    assert.equal(await page.locator('#fn-table tbody tr').count(), 111);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('hostile names: shown as text, no script runs, no dialog; a slipped-in fetch is blocked', async () => {
    const { page, requests, errors, dialogs } = await open('hostile.html');
    await page.locator('#flame g.pf-f').nth(1).hover();
    await page.locator('#gc-timeline rect.pause').first().hover({ force: true });
    await page.locator('#imports-open').click();
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
    assert.equal(await page.locator('script').count(), 3, 'only the page’s own scripts');
    assert.equal(await page.locator('img, iframe, object, embed').count(), 0);
    assert.equal(await page.locator('h1').textContent(), HOSTILE.fn);
    const names = await page.locator('#fn-table tbody tr td:first-child').allTextContents();
    assert.ok(names.includes(HOSTILE.fn));
    assert.ok(
      (await page.locator('#fn-table tbody tr td:nth-child(2)').allTextContents()).every((text) =>
        text.startsWith(`/t/"'><img src=x onerror=alert(2)>\\u2028\\x01.py:`),
      ),
    );
    assert.ok((await page.locator('#import-tree .m').allTextContents()).includes(HOSTILE.module));
    await page.screenshot({ path: join(dir, 'hostile.png'), fullPage: true });
    assert.deepEqual(requests, [`${server.url}/r/hostile.html`]);
    await page.close();

    // Playwright reports a request the policy blocks, then its failure: 'csp'.
    const leak = await browser.newPage();
    const attempts: string[] = [];
    const blocked: string[] = [];
    leak.on('request', (request) => attempts.push(request.url()));
    // Wait until every request the page made has ended, blocked or not (not for a time): the
    // page asks for two resources.
    const ended: string[] = [];
    let allEnded!: () => void;
    const settled = new Promise<void>((resolve) => (allEnded = resolve));
    const end = (url: string) => {
      ended.push(url);
      if (ended.length >= 3) allEnded();
    };
    leak.on('requestfailed', (request) => {
      if (request.failure()?.errorText === 'csp') blocked.push(request.url());
      end(request.url());
    });
    leak.on('requestfinished', (request) => end(request.url()));
    await leak.goto(`${server.url}/r/leak.html`);
    await settled;
    assert.deepEqual(
      attempts.filter((url) => !blocked.includes(url)),
      [`${server.url}/r/leak.html`],
      'nothing but the page got through: the policy blocks even the same origin',
    );
    assert.deepEqual([...blocked].sort(), [`${server.url}/leak.css`, `${server.url}/leak.png`]);
    await leak.close();
  });
});
