import assert from 'node:assert/strict';
import { constants } from 'node:buffer';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { browserCommand } from '../src/view/open-browser.js';
import { existingProfile, DEFAULT_VIEW_LIMITS, speedscopeProblem } from '../src/view/profile-file.js';
import {
  PROFILE_PATH,
  serveSpeedscope,
  speedscopeAppDir,
  type SpeedscopeServer,
} from '../src/view/serve-speedscope.js';
import { sniffViewInput } from '../src/view/speedscope-file.js';
import { SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

const dir = scratchDir('view-server');
const PROFILE_TEXT =
  '{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"main"}]},"profiles":[{"type":"sampled","name":"p","unit":"none","startValue":0,"endValue":1,"samples":[[0]],"weights":[1]}]}';
const APP = speedscopeAppDir();
/** The one file an escape from the app folder would most likely reach: speedscope's package.json. */
const OUTSIDE = readFileSync(join(APP, '../../package.json'), 'utf8');

/** A raw request: the path exactly as given (no URL normalisation), any Host header. */
function get(
  port: number,
  path: string,
  options: { host?: string; method?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${port}` },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: response.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('serveSpeedscope', () => {
  let server: SpeedscopeServer;
  before(async () => {
    const profile = await existingProfile(writeScratch(dir, PROFILE_TEXT, 'p.speedscope.json'), DEFAULT_VIEW_LIMITS);
    server = await serveSpeedscope({ profile });
  });
  after(() => server.close());

  it('prints a URL speedscope reads: the profile path, URI-encoded', () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/#profileURL=%2Fprofile.speedscope.json`);
  });

  it("serves the app's index and files, and the profile", async () => {
    const index = await get(server.port, '/');
    assert.equal(index.status, 200);
    assert.equal(index.body, readFileSync(join(APP, 'index.html'), 'utf8'));
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    const script = /src="([^"]+\.js)"/.exec(index.body)?.[1] ?? '';
    const js = await get(server.port, `/${script}`);
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    const profile = await get(server.port, PROFILE_PATH);
    assert.equal(profile.status, 200);
    assert.equal(profile.body, PROFILE_TEXT);
    const head = await get(server.port, PROFILE_PATH, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(PROFILE_TEXT.length));
    assert.equal(head.body, '');
  });

  it('reaches nothing outside the app folder: .., %2e%2e, encoded slashes, backslashes', async () => {
    for (const path of [
      '/../package.json',
      '/../../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2fpackage.json',
      '/%2E%2E%2F%2E%2E%2Fpackage.json',
      '/..\\..\\package.json',
      '//etc/passwd',
      '/%00index.html',
      '/%zz',
      'index.html',
      `/${'../'.repeat(20)}etc/passwd`,
    ]) {
      const response = await get(server.port, path);
      assert.ok(response.status === 404 || response.status === 400, `${path}: ${response.status}`);
      assert.ok(!response.body.includes('"name": "speedscope"') && !response.body.includes('root:'), path);
    }
  });

  it('any request path gets an app file, the profile, or a 404 (property)', async () => {
    const appFiles = new Set(readdirSync(APP).map((name) => readFileSync(join(APP, name), 'utf8')));
    const segment = fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '%2E.',
      '..%2f',
      '%2f',
      '%5c',
      'index.html',
      'package.json',
      'dist',
      'release',
      'speedscope',
      '',
      'node_modules',
      '%00',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 8 }), async (segments) => {
        const response = await get(server.port, `/${segments.join('/')}`);
        if (response.status === 200)
          assert.ok(appFiles.has(response.body) || response.body === PROFILE_TEXT, `/${segments.join('/')}`);
        else assert.ok(response.status === 404 || response.status === 400);
        assert.notEqual(response.body, OUTSIDE);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a foreign Host header (DNS rebinding) and accepts localhost:PORT', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${server.port}`,
      '127.0.0.1',
      `127.0.0.1:${server.port + 1}`,
      `localhost.evil.example:${server.port}`,
      `[::1]:${server.port}`,
    ]) {
      const response = await get(server.port, PROFILE_PATH, { host });
      assert.equal(response.status, 403, host);
      assert.ok(!response.body.includes('speedscope.app'), host);
    }
    assert.equal((await get(server.port, PROFILE_PATH, { host: `localhost:${server.port}` })).status, 200);
  });

  it('only GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const response = await get(server.port, PROFILE_PATH, { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.allow, 'GET, HEAD');
    }
  });

  it('listens on 127.0.0.1 only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal);
    const reachable = (host: string) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host, port: server.port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
    assert.equal(await reachable('127.0.0.1'), true);
    assert.equal(await reachable('::1'), false, 'not on IPv6 loopback');
    if (external !== undefined) assert.equal(await reachable(external.address), false, `not on ${external.address}`);
  });
});

describe('sniffViewInput: speedscope files are known by content', () => {
  it('speedscope documents, plain and gzipped, whatever their names', async () => {
    assert.equal(await sniffViewInput(writeScratch(dir, PROFILE_TEXT, 'x.txt')), 'speedscope');
    assert.equal(await sniffViewInput(writeScratch(dir, gzipSync(PROFILE_TEXT), 'x.json')), 'speedscope-gz');
    // Pretty-printed with a BOM, shared and profiles but no $schema (older exporters).
    assert.equal(
      await sniffViewInput(writeScratch(dir, '\uFEFF {\n  "shared": {"frames": []},\n  "profiles": []\n}', 'y.json')),
      'speedscope',
    );
  });

  it('other JSON, and traces (plain and gzipped)', async () => {
    assert.equal(
      await sniffViewInput(writeScratch(dir, '{"$schema":"https://example.com/other.json","profiles":[]}', 'o.json')),
      'other-json',
    );
    assert.equal(await sniffViewInput(writeScratch(dir, '[1,2]', 'a.json')), 'other-json');
    const trace = join(SAMPLES, 'threads.pyflame.txt');
    assert.equal(await sniffViewInput(trace), 'trace');
    assert.equal(await sniffViewInput(writeScratch(dir, gzipSync(readFileSync(trace)), 't.txt.gz')), 'trace');
    assert.equal(await sniffViewInput(writeScratch(dir, '', 'empty.txt')), 'trace');
  });
});

describe('DEFAULT_VIEW_LIMITS', () => {
  it('refuses what V8 cannot hold as one string (its String::kMaxLength, as node reports it)', () => {
    assert.equal(DEFAULT_VIEW_LIMITS.refuseBytes, constants.MAX_STRING_LENGTH);
    assert.ok(DEFAULT_VIEW_LIMITS.warnBytes < DEFAULT_VIEW_LIMITS.refuseBytes);
  });
});

describe('speedscopeProblem', () => {
  it('accepts a document speedscope loads and names what is missing otherwise', () => {
    assert.equal(speedscopeProblem(PROFILE_TEXT), undefined);
    assert.match(speedscopeProblem(PROFILE_TEXT.slice(0, -3)) ?? '', /^not valid JSON/);
    assert.equal(speedscopeProblem('[]'), 'not a JSON object');
    assert.equal(speedscopeProblem('{"profiles":[]}'), 'no "shared": {"frames": [...]}');
    assert.equal(speedscopeProblem('{"shared":{"frames":[]}}'), 'no "profiles": [...]');
    assert.equal(speedscopeProblem('{"shared":{"frames":[]},"profiles":[]}'), 'no profiles in "profiles"');
  });
});

describe('browserCommand', () => {
  const url = 'http://127.0.0.1:5/#profileURL=%2Fprofile.speedscope.json&title=t';
  it('xdg-open on Linux, open on macOS, cmd start with & escaped on Windows', () => {
    assert.deepEqual(browserCommand(url, 'linux'), { command: 'xdg-open', args: [url], verbatim: false });
    assert.deepEqual(browserCommand(url, 'darwin'), { command: 'open', args: [url], verbatim: false });
    assert.deepEqual(browserCommand(url, 'win32'), {
      command: 'cmd',
      args: ['/d', '/s', '/c', 'start "" http://127.0.0.1:5/#profileURL=%2Fprofile.speedscope.json^&title=t'],
      verbatim: true,
    });
  });
});
