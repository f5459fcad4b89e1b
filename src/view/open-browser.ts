import { spawn } from 'node:child_process';

/** The program that opens a URL in the user's default browser on this platform, with its arguments. */
export function browserCommand(
  url: string,
  platform: NodeJS.Platform = process.platform,
): { command: string; args: string[]; verbatim: boolean } {
  if (platform === 'darwin') return { command: 'open', args: [url], verbatim: false };
  // `start` is a cmd built-in; its first quoted argument is a window title, and `&` (between the
  // hash parameters) would end the command unless escaped for cmd.
  if (platform === 'win32')
    return { command: 'cmd', args: ['/d', '/s', '/c', `start "" ${url.replace(/[&^|<>]/g, '^$&')}`], verbatim: true };
  return { command: 'xdg-open', args: [url], verbatim: false };
}

/**
 * Asks the desktop to open `url`, without waiting for the browser (xdg-open may stay until the
 * browser closes). A missing opener or one that fails is reported through `warn`, at whatever
 * time it happens; it never stops the caller.
 */
export function openInBrowser(
  url: string,
  warn: (message: string) => void,
  platform: NodeJS.Platform = process.platform,
): void {
  const { command, args, verbatim } = browserCommand(url, platform);
  const child = spawn(command, args, {
    stdio: 'ignore',
    detached: platform !== 'win32',
    windowsVerbatimArguments: verbatim,
    windowsHide: true,
  });
  child.on('error', (error: NodeJS.ErrnoException) =>
    warn(`could not open a browser (${command}: ${error.code ?? error.message}); open the URL yourself`),
  );
  child.on('exit', (code, signal) => {
    if (code !== 0)
      warn(
        `could not open a browser (${command} ${signal === null ? `exited with ${code}` : `was killed by ${signal}`}); open the URL yourself`,
      );
  });
  child.unref();
}
