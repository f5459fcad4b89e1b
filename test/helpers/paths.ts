import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** The repository root (tests run compiled from dist/test/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = join(ROOT, 'test/fixtures');
export const GOLDEN = join(ROOT, 'test/golden');
export const SAMPLES = join(ROOT, 'sample-traces');
export const CLI = join(ROOT, 'bin/pyflame.js');
