import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { RecordError } from './record-error.js';

/** Where tracefs is expected; bpftrace 0.17 writes its uprobes under it. */
export const TRACEFS = '/sys/kernel/tracing';

/** Recording needs Linux (bpftrace); elsewhere, say what to use instead. */
export function checkPlatform(platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'linux') {
    throw new RecordError(
      `pyflame record runs bpftrace, which is Linux only (this is ${platform}). ` +
        "On macOS, FreeBSD or illumos record with DTrace: sudo dtrace -Z -o trace.txt -s probes/pyflame.d -c 'python3 script.py' (see docs/recording.md, which also covers SystemTap).",
    );
  }
}

/** bpftrace attaches uprobes, which needs root. */
export function checkRoot(euid: number | undefined = process.geteuid?.()): void {
  if (euid !== 0)
    throw new RecordError(
      `pyflame record must run as root to attach probes (bpftrace needs it; effective uid is ${euid ?? 'unknown'}): run it with sudo, e.g. sudo pyflame record -- /usr/bin/python3.11 script.py`,
    );
}

/** The bpftrace executable on PATH. */
export function findBpftrace(path: string | undefined = process.env.PATH): string {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'bpftrace');
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new RecordError(
    'bpftrace is not installed (not found on PATH). Install it: apt-get install -y bpftrace (Debian/Ubuntu; dnf install bpftrace on Fedora).',
  );
}

/**
 * Mounts tracefs when it is not (seen on this project's VMs: bpftrace then fails to detach its
 * probes). Returns a sentence for the user when it mounted it.
 */
export function ensureTracefs(root = TRACEFS): string | undefined {
  if (existsSync(join(root, 'uprobe_events'))) return undefined;
  const result = spawnSync('mount', ['-t', 'tracefs', 'nodev', root], { encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(join(root, 'uprobe_events'))) {
    const why = (result.stderr ?? result.error?.message ?? '').trim();
    throw new RecordError(
      `tracefs is not mounted at ${root} and mounting it failed${why === '' ? '' : ` (${why})`}: mount -t tracefs nodev ${root}`,
    );
  }
  return `mounted tracefs at ${root} (mount -t tracefs nodev ${root})`;
}
