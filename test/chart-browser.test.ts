import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { axisTicks } from '../src/browser/time-axis.js';
import { flameGraphSvg } from '../src/export/svg/render.js';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { withScripts } from './helpers/browser-scripts.js';
import { chartOf } from './helpers/chart.js';
import { FIXTURES, GOLDEN, SAMPLES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

// The flame chart's script in headless chromium: tooltip on hover, click to zoom the time axis,
// reset, regex search with a case toggle, the axis refitted to the width, and a chart inlined
// next to a flame graph in one page, each left alone by the other. Screenshots go to `dir`.
const dir = scratchDir('chart-browser');

interface RectState {
  name: string;
  lane: number;
  s: number;
  t: number;
  shown: boolean;
  x: number;
  width: number;
  hit: boolean;
  fill: string;
}

describe('flame charts in a browser', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  let t0 = 0;
  let t1 = 0;
  before(async () => {
    const threads = await chartOf(join(SAMPLES, 'threads.pyflame.txt'), { title: 'threads.pyflame' });
    t0 = threads.model.startNs;
    t1 = threads.model.endNs;
    writeFileSync(join(dir, 'threads.chart.svg'), threads.svg);
    writeFileSync(
      join(dir, 'hostile.chart.svg'),
      (
        await chartOf(join(FIXTURES, 'damage/hostile-names.txt'), {
          title: '<script>alert(1)</script> "q" &amp;',
          minWidthPercent: 0,
        })
      ).svg,
    );
    for (const name of ['threads', 'imports-gc', 'lines'])
      writeFileSync(
        join(dir, `golden-${name}.chart.svg`),
        withScripts(readFileSync(join(GOLDEN, `chart/${name}.chart.svg`), 'utf8')),
      );
    const graph = flameGraphSvg(await analyzeTrace(join(SAMPLES, 'threads.pyflame.txt')), { title: 'threads.pyflame' });
    const inline = (svg: string) => svg.replace(/^<\?xml[^>]*\?>\n/, '');
    writeFileSync(
      join(dir, 'both.html'),
      `<!doctype html><html><head><meta charset="utf-8"><title>both</title></head><body>\n<div id="chart">${inline(threads.svg)}</div>\n<div id="graph">${inline(graph)}</div>\n</body></html>\n`,
    );
    browser = await launchBrowser();
    server = await serve({ '/c/': dir });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string, width = 1200): Promise<{ page: Page; outside: string[]; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) outside.push(request.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/c/${path}`);
    return { page, outside, errors };
  }

  type El = {
    getAttribute(name: string): string | null;
    querySelectorAll(s: string): Iterable<El>;
    querySelector(s: string): El | null;
    classList: { contains(c: string): boolean };
    style: { display: string };
    textContent: string | null;
  };
  type Doc = { querySelector(s: string): El | null };

  /** Every call rectangle of the chart under `scope`: name (from the chart's table), data, drawn state. */
  function rects(page: Page, scope: string): Promise<RectState[]> {
    return page.evaluate((scope) => {
      const g = globalThis as unknown as { document: Doc; getComputedStyle(e: El): { fill: string } };
      const root = g.document.querySelector(scope)!;
      const names = [...root.querySelectorAll('.pfc-fns text')].map((t) => t.textContent!);
      return [...root.querySelectorAll('.pfc-lane')].flatMap((lane, index) =>
        [...lane.querySelectorAll('rect')].map((r) => ({
          name: names[Number(r.getAttribute('data-f'))],
          lane: index,
          s: Number(r.getAttribute('data-s')),
          t: Number(r.getAttribute('data-t')),
          shown: r.style.display !== 'none',
          x: parseFloat(r.getAttribute('x')!),
          width: parseFloat(r.getAttribute('width')!),
          hit: r.classList.contains('pfc-hit'),
          fill: g.getComputedStyle(r).fill,
        })),
      );
    }, scope);
  }

  function axisLabels(page: Page, scope: string): Promise<string[]> {
    return page.evaluate((scope) => {
      const root = (globalThis as unknown as { document: Doc }).document.querySelector(scope)!;
      return [...root.querySelectorAll('.pfc-axis text')].map((t) => t.textContent!);
    }, scope);
  }

  it('every chart is well-formed XML to the browser’s parser, and shows hostile names as text', async () => {
    const { page, errors } = await open('hostile.chart.svg');
    for (const name of [
      'threads.chart.svg',
      'hostile.chart.svg',
      'golden-threads.chart.svg',
      'golden-imports-gc.chart.svg',
      'golden-lines.chart.svg',
    ]) {
      const problem = await page.evaluate(async (url) => {
        const g = globalThis as unknown as {
          fetch(u: string): Promise<{ text(): Promise<string> }>;
          DOMParser: new () => { parseFromString(t: string, type: string): Doc };
        };
        const parsed = new g.DOMParser().parseFromString(await (await g.fetch(url)).text(), 'image/svg+xml');
        return parsed.querySelector('parsererror')?.textContent ?? null;
      }, `${server.url}/c/${name}`);
      assert.equal(problem, null, `${name} parses`);
    }
    const title = await page.locator('.pfc-title').textContent();
    assert.equal(title, '<script>alert(1)</script> "q" &amp;');
    const names = (await rects(page, 'svg')).map((r) => r.name);
    // One policy for untrusted text (src/text/untrusted.ts): a bidi override is shown as an escape.
    assert.ok(names.includes('rtl\\u202eflip'), `a bidi override shown as an escape: ${JSON.stringify(names)}`);
    const files = await page
      .locator('.pfc-fns text')
      .evaluateAll((texts) => texts.map((t) => (t as unknown as El).getAttribute('data-l')));
    assert.ok(
      files.includes(`/t/"quoted" & 'single'.py:3`) && files.includes('/t/<script>alert(1)</script>.py:1'),
      JSON.stringify(files),
    );
    assert.deepEqual(errors, [], 'no script ran but the chart’s');
    await page.close();
  });

  it('hover shows a tooltip; click zooms every lane to the call; reset; search with a case toggle', async () => {
    const { page, outside, errors } = await open('threads.chart.svg');
    const width = await page.evaluate(
      () =>
        (
          globalThis as unknown as {
            document: { querySelector(s: string): { getBoundingClientRect(): { width: number } } };
          }
        ).document
          .querySelector('svg')
          .getBoundingClientRect().width,
    );
    const initialAxis = await axisLabels(page, 'svg');
    assert.deepEqual(
      initialAxis,
      axisTicks(t0, t1, Math.floor(width / 120)).map((t) => t.label),
      'the script’s axis is time-axis.ts’s',
    );
    const all = await rects(page, 'svg');
    assert.ok(all.every((r) => r.shown));
    const index = all.findIndex((r) => r.lane === 0 && r.width > 5 && r.width < 40);
    assert.ok(index >= 0, 'a mid-sized call in the first lane');
    const target = all[index];
    const rect = page.locator('.pfc-lane rect').nth(index);
    await rect.hover();
    const tip = page.locator('.pfc-tip');
    assert.ok(await tip.isVisible());
    const tipText = (await tip.locator('tspan').allTextContents()).join('\n');
    const laneLabel = await page.locator('.pfc-lane').first().getAttribute('data-n');
    const [name, where, times, thread] = tipText.split('\n');
    assert.deepEqual([name, thread], [target.name, laneLabel]);
    assert.match(where, /^.+:\d+$/);
    const shown = /^start ([\d.]+) (ns|µs|ms|s) · duration ([\d.]+) (ns|µs|ms|s)$/.exec(times)!;
    const scale: Record<string, number> = { ns: 1, µs: 1e3, ms: 1e6, s: 1e9 };
    assert.ok(
      Math.abs(Number(shown[1]) * scale[shown[2]] - target.s) <= target.s * 0.005,
      `start ${times} for ${target.s} ns`,
    );
    assert.ok(
      Math.abs(Number(shown[3]) * scale[shown[4]] - target.t) <= target.t * 0.005,
      `duration ${times} for ${target.t} ns`,
    );
    await page.screenshot({ path: join(dir, 'hover.png') });
    await page.mouse.move(5, 5);
    assert.ok(!(await tip.isVisible()), 'the tooltip goes with the mouse');

    // An import and a GC pause have tooltips of their own.
    const imported = page.locator('.pfc-imports rect').first();
    await imported.hover();
    const importTip = await tip.locator('tspan').allTextContents();
    assert.deepEqual([importTip[0], importTip[1]], [`import ${await imported.getAttribute('data-m')}`, 'module found']);
    await page.locator('.pfc-gc rect').first().hover({ force: true });
    assert.match(
      (await tip.locator('tspan').allTextContents()).join('|'),
      /^GC pause, generation \d+\|\d+ objects collected\|start .* · duration .*\|pid \d+ tid \d+$/,
    );
    await rect.hover();
    await rect.click();
    assert.ok(!(await tip.isVisible()), 'a click hides the tooltip (the call under the mouse changes)');
    const zoomed = await rects(page, 'svg');
    assert.ok(
      Math.abs(zoomed[index].x) < 1e-4 && Math.abs(zoomed[index].width - 100) < 1e-4,
      `the call fills the width: ${zoomed[index].x} ${zoomed[index].width}`,
    );
    const end = target.s + target.t;
    for (const r of zoomed) {
      const outsideRange = r.s + r.t <= target.s || r.s >= end;
      if (outsideRange && r.t > 0) assert.ok(!r.shown, `${r.name} at ${r.s} is outside the zoomed call and hidden`);
      if (r.s >= target.s && r.s + r.t <= end && r.t > 0) {
        assert.ok(r.shown);
        assert.ok(Math.abs(r.width - (r.t / target.t) * 100) < 1e-3, 'inside: rescaled to the call');
      }
    }
    assert.ok(
      zoomed.some((r) => r.lane > 0 && r.shown) || zoomed.every((r) => r.lane === 0 || !r.shown),
      'other lanes follow the same axis',
    );
    assert.ok(zoomed.filter((r) => !r.shown).length > 0);
    assert.notDeepEqual(await axisLabels(page, 'svg'), initialAxis, 'the axis shows the zoomed time');
    assert.ok(await page.locator('.pfc-reset').isVisible());
    await page.screenshot({ path: join(dir, 'zoomed.png') });
    await page.locator('.pfc-reset').click();
    const reset = await rects(page, 'svg');
    assert.deepEqual(
      reset.map((r) => [r.x, r.width, r.shown]),
      all.map((r) => [r.x, r.width, true]),
      'reset restores the whole chart',
    );
    assert.deepEqual(await axisLabels(page, 'svg'), initialAxis);
    assert.ok(!(await page.locator('.pfc-reset').isVisible()));

    // Search: a regex through the prompt; case-sensitive, then ignoring case.
    page.once('dialog', (dialog) => void dialog.accept('FIND_AND'));
    await page.locator('.pfc-search').click();
    let state = await rects(page, 'svg');
    assert.equal(state.filter((r) => r.hit).length, 0, 'FIND_AND matches nothing case-sensitively');
    assert.equal(await page.locator('.pfc-matched').textContent(), `Matched: 0 of ${all.length} drawn calls`);
    await page.locator('.pfc-case').click();
    state = await rects(page, 'svg');
    const expected = all.filter((r) => /find_and/i.test(r.name)).length;
    assert.ok(expected > 0);
    assert.equal(state.filter((r) => r.hit).length, expected);
    assert.ok(state.every((r) => r.hit === /FIND_AND/i.test(r.name)));
    assert.ok(
      state.filter((r) => r.hit).every((r) => r.fill === 'rgb(230, 0, 230)'),
      'matches are magenta',
    );
    assert.ok(state.filter((r) => !r.hit).every((r) => r.fill !== 'rgb(230, 0, 230)'));
    assert.equal(await page.locator('.pfc-matched').textContent(), `Matched: ${expected} of ${all.length} drawn calls`);
    await page.screenshot({ path: join(dir, 'search.png') });
    await page.locator('.pfc-search').click();
    assert.equal((await rects(page, 'svg')).filter((r) => r.hit).length, 0, 'Reset Search clears');
    // Ctrl-F prompts too (the only graph on the page).
    page.once('dialog', (dialog) => void dialog.accept('^wait$'));
    await page.keyboard.press('Control+f');
    assert.equal((await rects(page, 'svg')).filter((r) => r.hit).length, all.filter((r) => r.name === 'wait').length);
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, [], 'no request leaves 127.0.0.1');
    await page.close();
  });

  it('the axis and labels follow the window’s width', async () => {
    const { page, errors } = await open('threads.chart.svg', 1200);
    const wide = await axisLabels(page, 'svg');
    const labelsAt = () => page.locator('.pfc-lane text:not(.pfc-lh)').allTextContents();
    const wideLabels = (await labelsAt()).join('').length;
    await page.setViewportSize({ width: 600, height: 800 });
    // The chart redraws on the resize event, after the viewport has changed: wait for the redraw
    // (the axis with the narrow width's ticks), not for a time.
    const expected = axisTicks(t0, t1, Math.floor(600 / 120)).map((t) => t.label);
    await page.waitForFunction(
      (count) =>
        [
          ...(globalThis as unknown as { document: Doc }).document
            .querySelector('svg')!
            .querySelectorAll('.pfc-axis text'),
        ].length === count,
      expected.length,
    );
    const narrow = await axisLabels(page, 'svg');
    assert.ok(narrow.length < wide.length, `fewer ticks: ${narrow.length} < ${wide.length}`);
    assert.deepEqual(narrow, expected);
    assert.ok((await labelsAt()).join('').length < wideLabels, 'labels cut shorter');
    await page.screenshot({ path: join(dir, 'narrow.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a chart and a flame graph in one page leave each other alone', async () => {
    const { page, outside, errors } = await open('both.html');
    const graphState = () =>
      page.evaluate(() => {
        const root = (globalThis as unknown as { document: Doc }).document.querySelector('#graph svg')!;
        return [...root.querySelectorAll('g.pf-f')].map((g) => [
          g.style.display,
          g.querySelector('rect')!.getAttribute('x'),
          g.querySelector('rect')!.getAttribute('width'),
          g.classList.contains('pf-hit'),
        ]);
      });
    const graphBefore = await graphState();
    const chartBefore = await rects(page, '#chart svg');
    const index = chartBefore.findIndex((r) => r.width > 5 && r.width < 40);
    await page.locator('#chart .pfc-lane rect').nth(index).click();
    assert.ok(Math.abs((await rects(page, '#chart svg'))[index].width - 100) < 1e-4, 'the chart zoomed');
    assert.deepEqual(await graphState(), graphBefore, 'the flame graph did not move');
    await page.locator('#chart .pfc-reset').click();

    // Ctrl-F over the chart: one prompt, the chart's.
    const prompts: string[] = [];
    page.on('dialog', (dialog) => {
      prompts.push(dialog.message());
      void dialog.accept('fib');
    });
    await page.locator('#chart .pfc-lane rect').nth(index).hover();
    await page.keyboard.press('Control+f');
    assert.equal(prompts.length, 1, 'one prompt');
    assert.ok(
      (await rects(page, '#chart svg')).some((r) => r.hit),
      'the chart searched',
    );
    assert.deepEqual(await graphState(), graphBefore, 'the flame graph did not');

    // The flame graph's zoom and search leave the chart alone.
    const chartSearched = await rects(page, '#chart svg');
    const graphFrames = page.locator('#graph g.pf-f');
    await graphFrames.nth(3).click();
    await page.locator('#graph .pf-search').click();
    assert.equal(prompts.length, 2);
    assert.notDeepEqual(await graphState(), graphBefore, 'the flame graph zoomed and searched');
    assert.deepEqual(await rects(page, '#chart svg'), chartSearched, 'the chart did not change');
    assert.ok(await page.locator('#graph .pf-reset').isVisible());
    assert.ok(!(await page.locator('#chart .pfc-reset').isVisible()));
    await page.locator('#chart .pfc-lane rect').nth(index).hover();
    assert.ok(await page.locator('#chart .pfc-tip').isVisible());
    assert.equal(
      (await page.locator('#graph .pf-details').textContent())!.trim(),
      '',
      'hovering the chart leaves the graph’s details empty',
    );
    await page.screenshot({ path: join(dir, 'both.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, []);
    await page.close();
  });
});
