import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withoutScripts } from './browser-scripts.js';
import { GOLDEN } from './paths.js';

/** Set PYFLAME_BLESS=1 (npm run bless) to rewrite golden files on purpose. */
export const BLESS = process.env.PYFLAME_BLESS === '1';

/**
 * Compares `actual` with the golden file `test/golden/<name>`. With PYFLAME_BLESS=1 the golden
 * is (re)written instead; a missing golden is a failure, so a new case must be blessed on purpose.
 * SVG and HTML goldens hold a placeholder instead of each embedded browser script (browser-scripts.ts).
 */
export function assertGolden(name: string, document: string): void {
  const path = join(GOLDEN, name);
  const actual = /\.(svg|html)$/.test(name) ? withoutScripts(document) : document;
  if (BLESS) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(
    existsSync(path),
    `golden file ${path} is missing: run PYFLAME_BLESS=1 npm test to create it, then review it`,
  );
  const expected = readFileSync(path, 'utf8');
  if (actual !== expected) {
    assert.equal(
      actual,
      expected,
      `output differs from golden ${path} (PYFLAME_BLESS=1 npm test rewrites it after review)`,
    );
  }
}
