import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { browserAvailable, launchBrowser } from './helpers/browser.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { startView } from './helpers/view-process.js';

// `pyflame view` as a user runs it: the real binary serves, headless chromium opens the printed
// URL, and the speedscope app shows the profile having asked nothing of any other host.
const dir = scratchDir('view-browser');
const TRACE = 'sample-traces/threads.pyflame.txt';

interface Case {
  readonly name: string;
  readonly input: () => Promise<string>;
}

async function speedscopeText(): Promise<string> {
  const result = await runCli(['analyze', TRACE, '--speedscope', '-']);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

const cases: Case[] = [
  { name: 'a trace', input: async () => TRACE },
  {
    name: 'a .speedscope.json',
    input: async () => writeScratch(dir, await speedscopeText(), 'threads.speedscope.json'),
  },
  {
    name: 'a .speedscope.json.gz',
    input: async () => writeScratch(dir, gzipSync(await speedscopeText()), 'threads.speedscope.json.gz'),
  },
];

describe('pyflame view in a real browser', {
  skip: browserAvailable() ? false : 'no /usr/bin/chromium (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let profileNames: string[];
  let documentName: string;
  before(async () => {
    browser = await launchBrowser();
    const document = JSON.parse(await speedscopeText()) as { name: string; profiles: { name: string }[] };
    profileNames = document.profiles.map((p) => p.name);
    documentName = document.name;
  });
  after(() => browser?.close());

  for (const { name, input } of cases) {
    it(`${name}: loads in speedscope, exits 0 on SIGTERM, leaves no temp file`, async (t) => {
      const path = await input();
      const temp = join(dir, `tmp-${name.replace(/\W+/g, '-')}`);
      mkdirSync(temp);
      const view = await startView([path, '--no-open'], { TMPDIR: temp });
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const outside: string[] = [];
      const fetched: string[] = [];
      page.on('request', (request) => {
        if (request.url().startsWith(`${view.origin}/`)) fetched.push(new URL(request.url()).pathname);
        else outside.push(request.url());
      });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      // speedscope reports an unreadable profile in an alert().
      page.on('dialog', (dialog) => {
        errors.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      try {
        await page.goto(view.url);
        // Loaded: the toolbar names the first thread's timeline, "pid P tid T (1/N)".
        await page
          .getByText(profileNames[0])
          .first()
          .or(page.getByText('Something went wrong'))
          .waitFor({ timeout: 60_000 });
        const text = await page.locator('body').innerText();
        assert.doesNotMatch(text, /Something went wrong/);
        assert.ok(
          text.includes(`${profileNames[0]} (1/${profileNames.length})`),
          `the toolbar shows the first of ${profileNames.length} profiles`,
        );
        assert.equal(await page.title(), `${documentName} - speedscope`, "the page is titled with the document's name");
        assert.ok((await page.locator('canvas').count()) > 0, 'a canvas is drawn');
        assert.ok(fetched.includes('/profile.speedscope.json'), 'the profile came from pyflame');
        assert.deepEqual(errors, []);
        assert.deepEqual(outside, [], 'no request leaves 127.0.0.1');
        const screenshot = join(dir, `${name.replace(/\W+/g, '-')}.png`);
        await page.screenshot({ path: screenshot });
        t.diagnostic(`screenshot: ${screenshot}`);
      } finally {
        await page.close();
        view.child.kill('SIGTERM');
      }
      assert.equal(await view.exited, 0, view.stderr());
      assert.deepEqual(readdirSync(temp), [], 'the temp files are gone');
    });
  }
});
