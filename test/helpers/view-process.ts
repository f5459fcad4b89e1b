import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT } from './paths.js';

/** A running `pyflame view`, once it has printed its URL. */
export interface ViewProcess {
  readonly child: ChildProcess;
  /** The URL printed on stdout. */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** stderr so far (grows while the process runs). */
  stderr(): string;
  /** Resolves with the exit status (null when killed by a signal) when the process has ended. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts the real binary (`node bin/pyflame.js view ...`) and waits for the URL line on stdout.
 * Rejects with stderr if the process ends first or prints nothing within the timeout.
 */
export function startView(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<ViewProcess> {
  const child = spawn(process.execPath, [CLI, 'view', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pyflame view printed no URL within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = /^(http:\/\/127\.0\.0\.1:(\d+))\/\S*\n/m.exec(stdout);
      if (line === null) return;
      clearTimeout(timer);
      resolve({ child, url: line[0].trim(), origin: line[1], stderr: () => stderr, exited });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`pyflame view exited (${code}) before printing a URL; stderr:\n${stderr}`));
    });
  });
}
