import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserAvailable, launchBrowser, serve } from './helpers/browser.js';
import { ROOT, SAMPLES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';
import { speedscopeWriter } from './helpers/speedscope-check.js';

// Issue 16 part 5: files written at a resolution to fit a size budget load in the real speedscope
// app (the copy in the speedscope package), served on 127.0.0.1 to headless chromium, as
// test/speedscope-browser.test.ts loads the full files.
const profiles = scratchDir('speedscope-budget-browser');

const cases = [
  // name, trace, budget in bytes: a resolution that fits, and one so small no call is left.
  { name: 'threads-100k', trace: 'threads.pyflame.txt', maxBytes: 100_000, resolution: /\(calls ≥ \d+ [nµm]?s\)/ },
  { name: 'recursion-150k', trace: 'recursion.pyflame.txt', maxBytes: 150_000, resolution: /\(calls ≥ \d+ [nµm]?s\)/ },
  { name: 'threads-no-calls', trace: 'threads.pyflame.txt', maxBytes: 1, resolution: /\(no calls: file size budget\)/ },
];

describe('speedscope files written to a size budget load in the speedscope app', {
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

  for (const { name, trace, maxBytes, resolution } of cases) {
    it(name, async () => {
      const { text, written } = await (await speedscopeWriter(join(SAMPLES, trace)))({ maxBytes });
      assert.ok(written.resolutionNs > 0, 'reduced');
      const file = JSON.parse(text) as { profiles: Array<{ name: string }> };
      assert.match(file.profiles[0].name, resolution);
      writeFileSync(join(profiles, `${name}.speedscope.json`), text);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(
        `${server.url}/app/index.html#profileURL=${encodeURIComponent(`${server.url}/profiles/${name}.speedscope.json`)}`,
      );
      // Loaded: the toolbar names the first profile, with its resolution.
      await page
        .getByText(file.profiles[0].name)
        .first()
        .or(page.getByText('Something went wrong'))
        .waitFor({ timeout: 30_000 });
      const body = await page.locator('body').innerText();
      assert.doesNotMatch(body, /Something went wrong/);
      assert.match(body, new RegExp(`\\(1/${file.profiles.length}\\)`), 'every profile is there');
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
