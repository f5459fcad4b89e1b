import { readFileSync } from 'node:fs';
import { spoolToText } from '../../src/internal.js';

/** What the in-process recorder wrote to `path` (a spool), as pyflame's text format. */
export function spoolText(path: string): string {
  return spoolToText(readFileSync(path), path).text;
}
