import { spawn } from 'node:child_process';
import { CLI, ROOT } from './paths.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly stdin?: Buffer | string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** A command to run node under, e.g. `['taskset', '-c', '0']`. */
  readonly launcher?: readonly string[];
  /** Kill the command (SIGKILL) if it has not ended after this long: a hang fails, not stalls. */
  readonly timeoutMs?: number;
}

/** Runs the real `pyflame` binary, as a user would, optionally feeding stdin. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, ...launcherArgs] = [...(options.launcher ?? []), process.execPath];
    const child = spawn(command!, [...launcherArgs, CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      // Recordings skip their calibration (seconds each) unless a test asks for it (PYFLAME_CALIBRATE=1).
      env: { ...process.env, NO_COLOR: '1', PYFLAME_CALIBRATE: '0', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('close', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}
