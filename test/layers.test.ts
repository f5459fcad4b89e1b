import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/paths.js';

// The floors of src/, lowest first (README, "Layout"). A file may import from its own folder and
// from lower floors only: never upwards, never sideways into another folder of its floor. So an
// edit to the terminal report cannot change the SVG, and the library never reaches into the CLI.
export const FLOORS: readonly (readonly string[])[] = [
  ['text', 'version.ts'],
  ['model', 'browser'],
  ['io', 'wasm'],
  ['parse'],
  ['analyze'],
  ['folded-input'],
  ['export'],
  ['diff', 'view', 'record'],
  ['merge', 'history', 'convert.ts', 'load-events.ts'],
  ['cli'],
  ['index.ts', 'internal.ts'],
];

const SRC = join(ROOT, 'src');

/** The floor's place of a path under src/ (its first part: a folder, or a file at the top). */
function placeOf(path: string): { readonly home: string; readonly floor: number } {
  // A top-level file is named by its source (imports name the compiled `.js`).
  const home = path.split('/')[0].replace(/\.js$/, '.ts');
  const floor = FLOORS.findIndex((homes) => homes.includes(home));
  return { home, floor };
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name) ? [path] : [];
  });
}

// Static imports and re-exports, side-effect imports and dynamic import() with a literal.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** The relative imports of a source file, as paths under src/. */
export function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1];
    if (!specifier.startsWith('.')) continue;
    found.push(
      relative(SRC, normalize(join(dirname(file), specifier)))
        .split('\\')
        .join('/'),
    );
  }
  return found;
}

/** Every import that breaks the floors, as `from → to (why)`. */
export function layerViolations(files: readonly { readonly path: string; readonly text: string }[]): string[] {
  const out: string[] = [];
  for (const { path, text } of files) {
    const from = placeOf(relative(SRC, path).split('\\').join('/'));
    for (const target of importsOf(path, text)) {
      const to = placeOf(target);
      if (to.home === from.home) continue;
      const where = `${relative(SRC, path)} → ${target}`;
      if (from.floor < 0) out.push(`${where} (${from.home} is on no floor: add it to FLOORS and the README)`);
      else if (to.floor < 0) out.push(`${where} (${to.home} is on no floor: add it to FLOORS and the README)`);
      else if (to.floor > from.floor) out.push(`${where} (upwards: ${from.home} is below ${to.home})`);
      else if (to.floor === from.floor) out.push(`${where} (sideways: ${from.home} and ${to.home} share a floor)`);
    }
  }
  return out;
}

describe('layers', () => {
  const files = sourceFiles(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

  it('no file in src/ imports upwards or sideways', () => {
    assert.deepEqual(layerViolations(files), []);
  });

  it('every folder and top-level file of src/ has a floor', () => {
    const homes = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || /\.ts$/.test(entry.name))
      .map((entry) => entry.name)
      .filter((name) => name !== 'types');
    assert.deepEqual(
      homes.filter((home) => placeOf(home).floor < 0),
      [],
    );
  });

  it('the README states the same floors', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = /## Layout\n([\s\S]*?)(?:\n## |$)/.exec(readme);
    assert.ok(section !== null, 'README has a "## Layout" section');
    const stated = [...section[1].matchAll(/^\d+\. (.+)$/gm)].map((line) =>
      [...line[1].matchAll(/`src\/([^`]+?)\/?`/g)].map((m) => m[1]),
    );
    assert.deepEqual(
      stated,
      FLOORS.map((homes) => [...homes]),
    );
  });

  it('catches an upward import, a sideways one and an unknown folder', () => {
    const file = (path: string, text: string) => ({ path: join(SRC, path), text });
    assert.deepEqual(layerViolations([file('export/svg/x.ts', "import { a } from '../../cli/main.js';")]), [
      'export/svg/x.ts → cli/main.js (upwards: export is below cli)',
    ]);
    assert.deepEqual(layerViolations([file('diff/x.ts', "const m = await import('../record/record.js');")]), [
      'diff/x.ts → record/record.js (sideways: diff and record share a floor)',
    ]);
    assert.equal(layerViolations([file('text/x.ts', "export * from '../nowhere/y.js';")]).length, 1);
    assert.deepEqual(
      layerViolations([file('cli/x.ts', "import '../text/units.js';\nimport { b } from './y.js';")]),
      [],
    );
  });
});
