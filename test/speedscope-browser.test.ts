import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { writeSpeedscope } from '../src/export/speedscope/speedscope.js';
import { TimelineRecorder } from '../src/export/speedscope/timeline-recorder.js';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { FIXTURES, ROOT, SAMPLES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

// Every speedscope file pyflame writes for the samples, damaged ones included, loads in the real
// speedscope app (the copy in the speedscope package), served on 127.0.0.1 to headless chromium.
const profiles = scratchDir('speedscope');
const inputs = [
  ...readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => join(SAMPLES, name)),
  ...[
    'damage/junk-lines.txt',
    'damage/out-of-order.txt',
    'damage/truncated-last-line.txt',
    'damage/hostile-names.txt',
  ].map((name) => join(FIXTURES, name)),
];

describe('speedscope files load in the speedscope app', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    browser = await launchBrowser();
    server = await serve({ '/app/': join(ROOT, 'node_modules/speedscope/dist/release'), '/profiles/': profiles });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const path of inputs) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    it(name, async () => {
      const timeline = new TimelineRecorder();
      const analysis = await analyzeTrace(path, { timeline });
      const parts: Buffer[] = [];
      await writeSpeedscope(analysis, timeline, (chunk) => void parts.push(Buffer.from(chunk)), 'pyflame test');
      writeFileSync(join(profiles, `${name}.speedscope.json`), Buffer.concat(parts));
      const page = await browser.newPage();
      const outside: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(server.url)) outside.push(request.url());
      });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(
        `${server.url}/app/index.html#profileURL=${encodeURIComponent(`${server.url}/profiles/${name}.speedscope.json`)}`,
      );
      // Loaded: the toolbar names the first profile ("pid P tid T (1/N)" with several).
      const first = (JSON.parse(Buffer.concat(parts).toString()) as { profiles: Array<{ name: string }> }).profiles[0]
        .name;
      await page.getByText(first).first().or(page.getByText('Something went wrong')).waitFor({ timeout: 30_000 });
      const text = await page.locator('body').innerText();
      assert.doesNotMatch(text, /Something went wrong/);
      if (analysis.threads.length > 0)
        assert.match(
          text,
          new RegExp(`\\(1/${analysis.threads.length + 1}\\)`),
          'every thread and the all-threads profile are there',
        );
      assert.ok((await page.locator('canvas').count()) > 0, 'a canvas is drawn');
      assert.deepEqual(errors, []);
      assert.deepEqual(outside, [], 'no request leaves 127.0.0.1');
      if (name === 'threads.pyflame.txt') await page.screenshot({ path: join(profiles, 'threads.png') });
      await page.close();
    });
  }
});
