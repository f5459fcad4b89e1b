import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compareText } from '../text/compare.js';

/** `*`, `?` or `[...]` make a value a pattern; anything else is a path, taken as it is. */
const GLOB = /[*?[]/;

/**
 * The files a --base/--head value names: itself, or, when it is a quoted glob
 * (`'runs/base-*.json'`, which no shell expanded), the files it matches, sorted so that the runs
 * come in the same order on every machine. `*` and `?` match within one path segment and never a
 * leading dot (as a shell does); `[abc]`/`[a-z]`/`[!a]` a character; `**` is not special.
 * Returns [] for a pattern matching nothing (the caller says so).
 */
export function expandRunPath(value: string): string[] {
  if (value === '-' || !GLOB.test(value)) return [value];
  const absolute = value.startsWith('/');
  const segments = value.split('/').filter((s, i) => s !== '' || i === 0);
  let found: string[] = [absolute ? '/' : ''];
  for (const [i, segment] of segments.entries()) {
    if (absolute && i === 0) continue;
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const dir of found) {
      if (!GLOB.test(segment)) {
        const path = dir === '' ? segment : join(dir, segment);
        if (exists(path)) next.push(path);
        continue;
      }
      const pattern = segmentPattern(segment);
      let names: string[];
      try {
        names = readdirSync(dir === '' ? '.' : dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (!pattern.test(name)) continue;
        const path = dir === '' ? name : join(dir, name);
        if (last ? isFile(path) : isDirectory(path)) next.push(path);
      }
    }
    found = next;
  }
  return found.sort(compareText);
}

function segmentPattern(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) source += '\\[';
      else {
        let body = segment.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        source += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

const exists = (path: string) => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};
const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};
const isDirectory = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};
