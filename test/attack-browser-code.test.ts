import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { htmlReport } from '../src/export/html/report.js';
import { foldedFlameGraphSvg } from '../src/export/svg/folded-graph.js';
import { flameGraphSvg } from '../src/export/svg/render.js';
import { readFolded } from '../src/folded-input/read-folded.js';
import { formatDuration } from '../src/text/units.js';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { BROWSER_SCRIPTS, scriptPlaceholder, withoutScripts, withScripts } from './helpers/browser-scripts.js';
import { chartOf } from './helpers/chart.js';
import { FIXTURES, ROOT, SAMPLES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

// The browser code (src/browser/) as real files, bundled at build time (issue 18): the documents
// embed exactly the bundles, the bundles are safe to embed and keep to their IIFE, src/browser
// imports only src/text, and in a browser the scripts write durations as the documents' static
// text does (one formatter: "33.2 ms" in the <title> and on the details line alike).
const dir = scratchDir('browser-code');
const BUNDLES = join(ROOT, 'dist/src/browser');

/** The bundle as the build wrote it. */
const bundle = (name: string): string => readFileSync(join(BUNDLES, `${name}.js`), 'utf8');

/** The bodies of a document's inline scripts (SVG: inside CDATA; HTML: the page's own), JSON data left out. */
function scriptBodies(document: string): string[] {
  return [
    ...document.matchAll(
      /<script type="text\/ecmascript"><!\[CDATA\[\n([\s\S]*?)\n\]\]><\/script>|<script>\n([\s\S]*?)\n<\/script>/g,
    ),
  ].map((m) => m[1] ?? m[2]);
}

describe('browser code: bundles and what embeds them', () => {
  it('every document embeds the current bundle byte for byte (its final newline aside)', async () => {
    const analysis = await analyzeTrace(join(SAMPLES, 'lines.pyflame.txt'));
    const graph = flameGraphSvg(analysis);
    assert.deepEqual(scriptBodies(graph), [bundle('flame-graph').replace(/\n$/, '')]);
    const folded = foldedFlameGraphSvg(await readFolded(join(FIXTURES, 'folded/python-labels.folded')), { title: 't' });
    assert.deepEqual(scriptBodies(folded), [bundle('flame-graph').replace(/\n$/, '')]);
    const page = htmlReport(analysis, { version: 'test' });
    assert.deepEqual(
      scriptBodies(page),
      [bundle('flame-graph'), bundle('report-page')].map((text) => text.replace(/\n$/, '')),
      'the inlined graph’s script, then the page’s',
    );
    const chart = (await chartOf(join(SAMPLES, 'threads.pyflame.txt'))).svg;
    assert.deepEqual(scriptBodies(chart), [bundle('timeline-chart').replace(/\n$/, '')]);
  });

  it('goldens hold a placeholder per script, and get the bundle back to be opened', async () => {
    const svg = flameGraphSvg(await analyzeTrace(join(SAMPLES, 'recursion.pyflame.txt')));
    const stripped = withoutScripts(svg);
    assert.ok(
      stripped.includes(`<![CDATA[\n${scriptPlaceholder('flame-graph')}\n]]></script>`),
      'the script body is the placeholder',
    );
    assert.ok(stripped.length < svg.length - 1000);
    assert.equal(withScripts(stripped), svg);
  });

  it('each bundle is one IIFE, safe inside CDATA and an HTML <script>, with no eval and no requests', () => {
    assert.deepEqual(
      readdirSync(BUNDLES)
        .filter((f) => /^[a-z-]+\.js$/.test(f) && !['time-axis.js', 'weights.js'].includes(f))
        .sort(),
      BROWSER_SCRIPTS.map((n) => `${n}.js`).sort(),
    );
    for (const name of BROWSER_SCRIPTS) {
      const text = bundle(name);
      assert.match(text, /^"use strict";\n\(\(\) => \{\n[\s\S]*\n\}\)\(\);\n$/, `${name}: one strict IIFE`);
      for (const bad of [']]>', '</script', '<!--'])
        assert.ok(!text.toLowerCase().includes(bad), `${name} has no ${bad}`);
      for (const call of [
        /\beval\s*\(/,
        /\bnew Function\b/,
        /\bfetch\s*\(/,
        /XMLHttpRequest/,
        /\bimport\s*\(/,
        /\bWebSocket\b/,
        /sendBeacon/,
      ])
        assert.doesNotMatch(text, call, `${name}: ${call}`);
      assert.match(text, /^[\x09\x0a\x20-\x7e]*$/, `${name}: ASCII only`);
    }
  });

  it('src/browser imports only src/browser and src/text', () => {
    const folder = join(ROOT, 'src/browser');
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(folder, file), 'utf8');
      for (const [, from] of source.matchAll(/^import [^;]*? from '([^']+)';/gm)) {
        assert.match(from, /^(\.\/[a-z-]+|\.\.\/text\/[a-z-]+)\.js$/, `src/browser/${file} imports ${from}`);
      }
    }
  });
});

describe('browser code: one duration form in a browser', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const lines = await analyzeTrace(join(SAMPLES, 'lines.pyflame.txt'));
    writeFileSync(join(dir, 'lines.svg'), flameGraphSvg(lines, { title: 'lines' }));
    writeFileSync(join(dir, 'lines.html'), htmlReport(lines, { version: 'test', title: 'lines' }));
    const folded = await readFolded(join(FIXTURES, 'folded/python-labels.folded'));
    writeFileSync(join(dir, 'micros.svg'), foldedFlameGraphSvg(folded, { title: 'micros', unit: 'µs' }));
    writeFileSync(join(dir, 'millis.svg'), foldedFlameGraphSvg(folded, { title: 'millis', unit: 'ms' }));
    writeFileSync(
      join(dir, 'blank.html'),
      '<!doctype html><html><head><meta charset="utf-8"><title>blank</title></head><body></body></html>\n',
    );
    writeFileSync(
      join(dir, 'threads.chart.svg'),
      (await chartOf(join(SAMPLES, 'threads.pyflame.txt'), { title: 'threads' })).svg,
    );
    browser = await launchBrowser();
    server = await serve({ '/b/': dir });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string): Promise<{ page: Page; errors: string[]; outside: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) outside.push(request.url());
    });
    await page.goto(`${server.url}/b/${path}`);
    return { page, errors, outside };
  }

  interface FrameText {
    name: string;
    where: string;
    self: number;
    total: number;
    title: string;
  }
  /** Frames under `scope` (not the root): data and <title> text. */
  function frameTexts(page: Page, scope: string): Promise<FrameText[]> {
    type El = {
      getAttribute(n: string): string | null;
      querySelector(s: string): El | null;
      querySelectorAll(s: string): Iterable<El>;
      textContent: string | null;
    };
    return page.evaluate((scope) => {
      const root = (globalThis as unknown as { document: El }).document.querySelector(scope)!;
      return [...root.querySelectorAll('g.pf-f')].slice(1).map((g) => ({
        name: g.getAttribute('data-n')!,
        where: g.getAttribute('data-l')!,
        self: Number(g.getAttribute('data-s')),
        total: Number(g.getAttribute('data-t')),
        title: g.querySelector('title')!.textContent!,
      }));
    }, scope);
  }

  /** Hovers each frame and checks the details line's self and total read as its <title>'s. */
  async function sameAsTitles(page: Page, scope: string, withCalls: boolean): Promise<number> {
    const frames = await frameTexts(page, scope);
    let checked = 0;
    for (const [i, frame] of frames.entries()) {
      const titled = /self (.+?), total (.+?)$/.exec(frame.title);
      assert.ok(titled, `title of ${frame.name}: ${frame.title}`);
      await page
        .locator(`${scope} g.pf-f`)
        .nth(i + 1)
        .hover();
      const details = (await page.locator(`${scope} .pf-details`).textContent())!;
      const shown = withCalls
        ? / · self (.+?) · total (.+?) · /.exec(details)
        : / · total (.+?) · self (.+?) · /.exec(details);
      assert.ok(shown, `details of ${frame.name}: ${details}`);
      const [self, total] = withCalls ? [shown[1], shown[2]] : [shown[2], shown[1]];
      assert.deepEqual(
        [self, total],
        [titled[1], titled[2]],
        `${frame.name}: the details line reads as the <title> (${details} | ${frame.title})`,
      );
      checked++;
    }
    return checked;
  }

  it('the flame graph’s details line writes durations as its <title> does (33.2 ms, not 33.20 ms)', async () => {
    const { page, errors, outside } = await open('lines.svg');
    const frames = await frameTexts(page, 'svg');
    assert.ok((await sameAsTitles(page, 'svg', true)) >= 5);
    // Three significant digits, as formatDuration: never two decimals after three digits.
    const details = (await page.locator('.pf-details').textContent())!;
    assert.doesNotMatch(details, /\d{3}\.\d+ (ns|µs|ms|s)\b/);
    assert.ok(frames.some((f) => f.title.includes(formatDuration(f.self))));
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, []);
    await page.close();
  });

  it('a graph in a time unit (µs, ms) writes durations as its <title> does', async () => {
    for (const name of ['micros.svg', 'millis.svg']) {
      const { page, errors } = await open(name);
      assert.ok((await sameAsTitles(page, 'svg', false)) >= 5, name);
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  it('the HTML page: the function table, the inlined graph’s <title> and its details line read alike', async () => {
    const { page, errors, outside } = await open('lines.html');
    await page.locator('#fn-table tbody tr').first().waitFor();
    const table = await page.evaluate(() => {
      type El = { textContent: string | null; querySelectorAll(s: string): Iterable<El>; cells: ArrayLike<El> };
      const doc = (globalThis as unknown as { document: El & { getElementById(id: string): El } }).document;
      const data = JSON.parse(doc.getElementById('fn-data').textContent!) as { rows: (string | number | null)[][] };
      const drawn = [...doc.querySelectorAll('#fn-table tbody tr')].map((tr) =>
        Array.from(tr.cells, (td) => td.textContent!),
      );
      return { rows: data.rows, drawn };
    });
    const frames = await frameTexts(page, '#flame svg');
    let compared = 0;
    for (const [i, frame] of frames.entries()) {
      // A function drawn once whose frame holds all its time: its row and its frame say the same.
      if (frames.filter((f) => f.name === frame.name && f.where === frame.where).length !== 1) continue;
      const row = table.rows.findIndex(
        (r) => r[0] === frame.name && r[1] === frame.where && r[3] === frame.self && r[4] === frame.total,
      );
      if (row < 0) continue;
      const cells = table.drawn.find((d) => d[0] === frame.name && d[1] === frame.where)!;
      const titled = /self (.+?), total (.+?)$/.exec(frame.title)!;
      assert.deepEqual(
        [cells[3], cells[4]],
        [titled[1], titled[2]],
        `${frame.name}: the table's self and total read as the <title>`,
      );
      await page
        .locator('#flame g.pf-f')
        .nth(i + 1)
        .hover();
      const details = (await page.locator('#flame .pf-details').textContent())!;
      assert.ok(details.includes(` · self ${cells[3]} · total ${cells[4]} · `), `${frame.name}: ${details}`);
      compared++;
    }
    assert.ok(compared >= 3, `compared ${compared} functions`);
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, []);
    await page.close();
  });

  it('the flame chart’s tooltip writes durations as formatDuration does', async () => {
    const { page, errors } = await open('threads.chart.svg');
    const bar = page.locator('.pfc-lane rect').first();
    const [start, duration] = (await bar.evaluate((r: { getAttribute(n: string): string | null }) => [
      Number(r.getAttribute('data-s')),
      Number(r.getAttribute('data-t')),
    ])) as [number, number];
    await bar.hover();
    await page.locator('.pfc-tip').and(page.locator(':visible')).waitFor();
    const lines = await page.locator('.pfc-tip tspan').allTextContents();
    assert.equal(lines[2], `start ${formatDuration(start)} · duration ${formatDuration(duration)}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('no script leaves a global behind', async () => {
    const { page } = await open('lines.html');
    const names = await page.evaluate(() => Object.getOwnPropertyNames(globalThis));
    // The baseline: a page from the same server with no script (a secure context, as the others).
    await page.goto(`${server.url}/b/blank.html`);
    const blank = new Set(await page.evaluate(() => Object.getOwnPropertyNames(globalThis)));
    assert.deepEqual(
      names.filter((n) => !blank.has(n)),
      [],
    );
    for (const name of ['lines.svg', 'threads.chart.svg']) {
      await page.goto(`${server.url}/b/${name}`);
      const svgNames = await page.evaluate(() => Object.getOwnPropertyNames(globalThis));
      assert.deepEqual(
        svgNames.filter((n) => !blank.has(n)),
        [],
        name,
      );
    }
    await page.close();
  });
});
