import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { ProfileFile } from './profile-file.js';

/** Where the profile is served; speedscope picks its importer from the file name's ending. */
export const PROFILE_PATH = '/profile.speedscope.json';

/** The only interface listened on: nothing off this machine can connect. */
export const HOST = '127.0.0.1';

export interface ServeOptions {
  readonly profile: ProfileFile;
  /** 0 (the default) lets the system pick a free port. */
  readonly port?: number;
  /** The built speedscope app (default: the speedscope package's dist/release). */
  readonly appDir?: string;
}

export interface SpeedscopeServer {
  readonly port: number;
  /**
   * The app with the profile loaded: `http://127.0.0.1:PORT/#profileURL=%2Fprofile.speedscope.json`.
   * No `&title=`: speedscope would give every profile that name, hiding the thread names; the
   * page is titled with the document's own "name" instead.
   */
  readonly url: string;
  /** Resolves once the profile has first been sent whole to a GET (for --once). */
  readonly profileServed: Promise<void>;
  /** Stops listening and drops open connections (a browser's keep-alive would hold it open). */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** The speedscope package's built app (index.html and its assets). */
export function speedscopeAppDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('speedscope/package.json')), 'dist', 'release');
}

/**
 * Serves the speedscope app and one profile, read-only, on 127.0.0.1. Only the app's own files
 * (listed once at start) and the profile can be fetched: a request path is looked up in that
 * list, never joined onto a folder, so `..` or an encoded `%2e%2e` reaches nothing. Requests
 * whose Host header is not this server's own (a DNS-rebinding page in the user's browser) and
 * methods other than GET and HEAD are refused.
 */
export async function serveSpeedscope(options: ServeOptions): Promise<SpeedscopeServer> {
  const files = await listFiles(options.appDir ?? speedscopeAppDir());
  if (!files.has('/index.html'))
    throw new Error(
      `the speedscope app is missing: no index.html in ${options.appDir ?? speedscopeAppDir()} (reinstall pyflame's dependencies)`,
    );
  let port = 0;
  let served: () => void = () => {};
  const profileServed = new Promise<void>((resolve) => (served = resolve));
  const server = createServer((request, response) => {
    const refusal = refuse(request, port);
    if (refusal !== undefined) return void sendText(response, refusal.status, refusal.text, refusal.headers);
    const path = requestPath(request.url ?? '');
    if (path === PROFILE_PATH) {
      return void sendFile(request, response, options.profile.path, options.profile.bytes, 'application/json', () => {
        if (request.method === 'GET') served();
      });
    }
    const file = path === undefined ? undefined : files.get(path === '/' ? '/index.html' : path);
    if (file === undefined) return void sendText(response, 404, 'not found');
    sendFile(request, response, file.path, file.bytes, TYPES[extname(file.path)] ?? 'application/octet-stream');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as { port: number }).port;
  const url = `http://${HOST}:${port}/#profileURL=${encodeURIComponent(PROFILE_PATH)}`;
  return {
    port,
    url,
    profileServed,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Why a request is turned away before its path is looked at, or undefined. */
function refuse(
  request: IncomingMessage,
  port: number,
): { status: number; text: string; headers?: Record<string, string> } | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return { status: 405, text: 'only GET and HEAD', headers: { allow: 'GET, HEAD' } };
  const host = request.headers.host;
  if (host !== `${HOST}:${port}` && host !== `localhost:${port}`) return { status: 403, text: 'wrong Host header' };
  return undefined;
}

/** The decoded path of a request target (query dropped), or undefined when it cannot be decoded. */
function requestPath(target: string): string | undefined {
  const raw = target.split(/[?#]/, 1)[0];
  if (!raw.startsWith('/')) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Every regular file under the app folder, by URL path (`/index.html`). */
async function listFiles(root: string): Promise<Map<string, { path: string; bytes: number }>> {
  const realRoot = await realpath(root).catch(() => root);
  const files = new Map<string, { path: string; bytes: number }>();
  const entries = await readdir(realRoot, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const urlPath = `/${relative(realRoot, path).split(sep).join('/')}`;
    files.set(urlPath, { path, bytes: (await stat(path)).size });
  }
  return files;
}

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/**
 * Sends a file of known size; `sent` is called once the whole body has been flushed to the
 * connection ('finish'). The last chunk goes out with end(), not when the file stream ends: a
 * client that has read Content-Length bytes may close the connection before a separate end()
 * reaches the response, and then 'finish' never came (`view --once` waited forever after curl
 * had the whole profile).
 */
function sendFile(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  bytes: number,
  type: string,
  sent: () => void = () => {},
): void {
  response.writeHead(200, { ...COMMON_HEADERS, 'content-type': type, 'content-length': String(bytes) });
  if (request.method === 'HEAD' || bytes === 0) {
    if (bytes === 0) response.once('finish', sent);
    response.end();
    return;
  }
  // Never more than Content-Length, even if the file has grown since it was measured.
  const stream = createReadStream(path, { start: 0, end: bytes - 1 });
  let written = 0;
  stream.on('data', (chunk: Buffer | string) => {
    written += chunk.length;
    if (written >= bytes) {
      response.once('finish', sent);
      response.end(chunk);
      return;
    }
    if (!response.write(chunk)) {
      stream.pause();
      response.once('drain', () => stream.resume());
    }
  });
  // A file that shrank: the client sees a short body and a closed connection, never a hang.
  stream.on('end', () => {
    if (!response.writableEnded) response.destroy();
  });
  stream.on('error', () => response.destroy());
  response.on('close', () => stream.destroy());
}

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...COMMON_HEADERS, ...headers, 'content-type': 'text/plain; charset=utf-8' });
  response.end(`${text}\n`);
}
