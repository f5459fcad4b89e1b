import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/paths.js';

// The stable API is a promise: src/index.ts exports exactly the names docs/api.md lists, with the
// kind the page gives (a type is not a value at run time), and internal names stay out of it.

/** The names src/index.ts exports, each marked as a type or a value. */
function indexExports(): Map<string, 'type' | 'value'> {
  const source = readFileSync(join(ROOT, 'src/index.ts'), 'utf8');
  const names = new Map<string, 'type' | 'value'>();
  for (const match of source.matchAll(/export (type )?\{([^}]*)\} from '[^']+';/g)) {
    for (const raw of match[2]
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')) {
      const isType = match[1] !== undefined || raw.startsWith('type ');
      names.set(
        raw
          .replace(/^type /, '')
          .split(' as ')
          .pop()!
          .trim(),
        isType ? 'type' : 'value',
      );
    }
  }
  assert.ok(!/export \*/.test(source), 'src/index.ts names every export (no export *)');
  return names;
}

/** The names docs/api.md lists, with their kinds. */
function documented(): Map<string, string> {
  const page = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
  return new Map([...page.matchAll(/^\| `([^`]+)` \| (\w+) \|/gm)].map((row) => [row[1], row[2]]));
}

describe('the public API', () => {
  it('src/index.ts exports exactly what docs/api.md lists', () => {
    const exported = [...indexExports().keys()].sort();
    assert.deepEqual(exported, [...documented().keys()].sort());
  });

  it('types are types and values are values, at run time too', async () => {
    const api = (await import('pyflame')) as Record<string, unknown>;
    const docs = documented();
    for (const [name, kind] of indexExports()) {
      assert.equal(docs.get(name) === 'type', kind === 'type', `${name}: docs/api.md says ${docs.get(name)}`);
      assert.equal(
        name in api,
        kind === 'value',
        `${name} ${kind === 'value' ? 'is missing from' : 'is a value in'} the module`,
      );
    }
    assert.deepEqual(
      Object.keys(api).sort(),
      [...indexExports()]
        .filter(([, kind]) => kind === 'value')
        .map(([name]) => name)
        .sort(),
    );
  });

  it('pyflame/internal gives the rest, and nothing of it is in the stable API', async () => {
    const internal = (await import('pyflame/internal')) as Record<string, unknown>;
    const api = (await import('pyflame')) as Record<string, unknown>;
    assert.equal(typeof internal.formatDuration, 'function');
    assert.equal(typeof internal.EventWriter, 'function');
    assert.deepEqual(
      Object.keys(internal).filter((name) => name in api),
      [],
    );
  });
});
