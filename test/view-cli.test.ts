import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { runCli } from './helpers/run-cli.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { SAMPLES } from './helpers/paths.js';
import { startView } from './helpers/view-process.js';

// Relative to the repository root, where the CLI runs: messages name the path as given.
const THREADS = 'sample-traces/threads.pyflame.txt';
const dir = scratchDir('view-cli');

/** A temp folder of its own for one run, to prove pyflame leaves nothing behind in it. */
function tempDir(): string {
  const path = join(dir, `tmp-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path);
  return path;
}

/** The speedscope document `analyze --speedscope -` writes for a trace (what view must serve). */
async function speedscopeOf(trace: string): Promise<string> {
  const result = await runCli(['analyze', trace, '--speedscope', '-']);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

async function fetchProfile(origin: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${origin}/profile.speedscope.json`);
  return { status: response.status, body: await response.text() };
}

describe('pyflame view: refusals (exit 2, the file named)', { concurrency: true }, () => {
  it('a missing file', async () => {
    const result = await runCli(['view', join(dir, 'no-such.txt'), '--no-open']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^pyflame: error: .*no-such\.txt: cannot read: no such file or folder \(ENOENT\)\n$/);
  });

  it('a folder', async () => {
    const result = await runCli(['view', dir, '--no-open']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /: a folder, not a file\n$/);
  });

  it('a file that is neither a trace nor a speedscope file', async () => {
    const path = writeScratch(dir, 'hello\nthis is prose, not a trace\n', 'notes.txt');
    const result = await runCli(['view', path, '--no-open']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.ok(result.stderr.startsWith(`pyflame: error: ${path}:1: not a trace format pyflame reads`), result.stderr);
  });

  it('JSON that is not a speedscope document', async () => {
    const path = writeScratch(dir, '{"traceEvents": []}\n', 'chrome.json');
    const result = await runCli(['view', path, '--no-open']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `pyflame: error: ${path}: JSON, but not a speedscope file (expected an object with "$schema": "https://www.speedscope.app/file-format-schema.json", or "shared" and "profiles") and not a trace format pyflame reads\n`,
    );
  });

  it('a truncated speedscope file, plain or gzipped', async () => {
    const whole = await speedscopeOf(THREADS);
    const cut = whole.slice(0, Math.floor(whole.length / 2));
    for (const path of [
      writeScratch(dir, cut, 'cut.speedscope.json'),
      writeScratch(dir, gzipSync(cut), 'cut.speedscope.json.gz'),
    ]) {
      const temp = tempDir();
      const result = await runCli(['view', path, '--no-open'], { env: { TMPDIR: temp } });
      assert.equal(result.code, 2, path);
      assert.match(
        result.stderr,
        new RegExp(`^pyflame: error: ${path.replace(/[.]/g, '\\.')}: a speedscope file, but not valid JSON \\(`),
      );
      assert.deepEqual(readdirSync(temp), [], 'the inflated copy is removed');
    }
  });

  it('corrupt gzip data after a speedscope start', async () => {
    const packed = gzipSync(await speedscopeOf(THREADS));
    const damaged = Buffer.concat([packed.subarray(0, packed.length - 2000), Buffer.alloc(2000, 0x55)]);
    const path = writeScratch(dir, damaged, 'damaged.speedscope.json.gz');
    const temp = tempDir();
    const result = await runCli(['view', path, '--no-open'], { env: { TMPDIR: temp } });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^pyflame: error: .*damaged\.speedscope\.json\.gz: (corrupt gzip data|a speedscope file, but)/,
    );
    assert.deepEqual(readdirSync(temp), [], 'the partly inflated copy is removed');
  });

  it('a trace whose speedscope document is over the limit: size named, filters suggested, nothing left behind', async () => {
    const temp = tempDir();
    const result = await runCli(['view', THREADS, '--no-open'], {
      env: { TMPDIR: temp, PYFLAME_VIEW_REFUSE_BYTES: '100000' },
    });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '', 'no URL: nothing is served');
    assert.match(
      result.stderr,
      /pyflame: error: sample-traces\/threads\.pyflame\.txt: the speedscope document would be over the 100000 bytes a browser can load \(speedscope reads it as one string\)\. Narrow it with --tid, --pid, --from\/--to or --focus, or draw a flame graph instead: pyflame analyze sample-traces\/threads\.pyflame\.txt --svg\n$/,
    );
    assert.deepEqual(readdirSync(temp), [], 'the partial document is removed');
  });

  it('an existing speedscope file over the limit: its size named', async () => {
    const text = await speedscopeOf(THREADS);
    const path = writeScratch(dir, text, 'big.speedscope.json');
    const result = await runCli(['view', path, '--no-open'], {
      env: { PYFLAME_VIEW_REFUSE_BYTES: String(text.length - 1) },
    });
    assert.equal(result.code, 2);
    assert.ok(
      result.stderr.includes(
        `: the speedscope document is ${Buffer.byteLength(text)} bytes, over the ${Buffer.byteLength(text) - 1} bytes a browser can load`,
      ),
      result.stderr,
    );
  });

  it('filters given for a speedscope file', async () => {
    const path = writeScratch(dir, await speedscopeOf(THREADS), 'f.speedscope.json');
    const result = await runCli(['view', path, '--no-open', '--tid', '1', '--from', '1ms']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is a speedscope file already: --tid, --from filter traces only/);
  });

  it('a bad --port, and a port already taken', async () => {
    const bad = await runCli(['view', THREADS, '--no-open', '--port', '70000']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--port takes a port number from 0 to 65535; got 70000/);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const temp = tempDir();
      const result = await runCli(['view', THREADS, '--no-open', '--port', String(port)], { env: { TMPDIR: temp } });
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`--port ${port}: that port on 127\\.0\\.0\\.1 is already in use`));
      assert.deepEqual(readdirSync(temp), []);
    } finally {
      taken.close();
    }
  });
});

describe('pyflame view: serving', { concurrency: true }, () => {
  it("--once: serves the trace's speedscope document, then exits 0 and removes its temp file", async () => {
    const temp = tempDir();
    const view = await startView([THREADS, '--no-open', '--once'], { TMPDIR: temp });
    assert.match(view.url, /^http:\/\/127\.0\.0\.1:\d+\/#profileURL=%2Fprofile\.speedscope\.json$/);
    assert.equal(readdirSync(temp).length, 1, 'the document is in a temp folder while serving');
    const profile = await fetchProfile(view.origin);
    assert.equal(profile.status, 200);
    assert.equal(profile.body, await speedscopeOf(THREADS));
    assert.equal(await view.exited, 0);
    assert.deepEqual(readdirSync(temp), []);
    assert.match(
      view.stderr(),
      /pyflame: serving sample-traces\/threads\.pyflame\.txt \(speedscope document: \d+ bytes\) to speedscope on 127\.0\.0\.1:\d+; stops once the profile is fetched/,
    );
  });

  it("filters shape the document (--tid keeps one thread's timeline)", async () => {
    const all = JSON.parse(await speedscopeOf(THREADS)) as { profiles: { name: string; type: string }[] };
    const names = all.profiles.filter((p) => p.type === 'evented').map((p) => p.name);
    assert.ok(names.length > 1, 'a trace with several threads');
    const tid = /tid (\d+)/.exec(names[1])?.[1] ?? '';
    const view = await startView([THREADS, '--no-open', '--once', '--tid', tid]);
    const doc = JSON.parse((await fetchProfile(view.origin)).body) as { profiles: { name: string; type: string }[] };
    assert.equal(await view.exited, 0);
    assert.deepEqual(
      doc.profiles.filter((p) => p.type === 'evented').map((p) => p.name),
      [names[1]],
    );
  });

  it('an existing .speedscope.json is served as it is; a .json.gz inflated', async () => {
    const text = await speedscopeOf(join(SAMPLES, 'recursion.pyflame.txt'));
    for (const path of [
      writeScratch(dir, text, 'r.speedscope.json'),
      writeScratch(dir, gzipSync(text), 'r.speedscope.json.gz'),
    ]) {
      const temp = tempDir();
      const view = await startView([path, '--no-open', '--once'], { TMPDIR: temp });
      assert.equal((await fetchProfile(view.origin)).body, text, path);
      assert.equal(await view.exited, 0);
      assert.deepEqual(readdirSync(temp), []);
    }
  });

  it('SIGTERM and SIGINT stop it: exit 0, temp file gone', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const temp = tempDir();
      const view = await startView([THREADS, '--no-open'], { TMPDIR: temp });
      // A browser's keep-alive connection must not keep the server open.
      const agentResponse = await fetch(`${view.origin}/`, { keepalive: true });
      await agentResponse.text();
      view.child.kill(signal);
      assert.equal(await view.exited, 0, `${signal}: ${view.stderr()}`);
      assert.deepEqual(readdirSync(temp), [], signal);
    }
  });

  it('warns, naming the size, when the document is large enough to be slow', async () => {
    const view = await startView([THREADS, '--no-open', '--once'], { PYFLAME_VIEW_WARN_BYTES: '1000' });
    await fetchProfile(view.origin);
    assert.equal(await view.exited, 0);
    assert.match(
      view.stderr(),
      /pyflame: warning: sample-traces\/threads\.pyflame\.txt: the speedscope document is \d+ bytes; speedscope will take a long time to load it .*Narrow it with --tid/,
    );
  });

  it('opens the URL with xdg-open; a missing opener is only a warning', {
    skip: process.platform === 'linux' ? false : 'xdg-open is the Linux opener',
  }, async () => {
    const bin = join(dir, `bin-${Math.random().toString(36).slice(2)}`);
    mkdirSync(bin);
    const log = join(bin, 'opened.txt');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const opened = await startView([THREADS, '--once'], { PATH: `${bin}:/usr/bin:/bin` });
    await fetchProfile(opened.origin);
    assert.equal(await opened.exited, 0);
    assert.equal(readFileSync(log, 'utf8'), `${opened.url}\n`, 'the opener got exactly the printed URL');

    const empty = join(dir, `empty-${Math.random().toString(36).slice(2)}`);
    mkdirSync(empty);
    const unopened = await startView([THREADS, '--once'], { PATH: empty });
    await fetchProfile(unopened.origin);
    assert.equal(await unopened.exited, 0);
    assert.match(
      unopened.stderr(),
      /pyflame: warning: could not open a browser \(xdg-open: ENOENT\); open the URL yourself/,
    );
  });
});
