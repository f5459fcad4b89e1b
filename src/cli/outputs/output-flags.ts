import { ANALYZE_OUTPUTS } from './analyze-outputs.js';
import { DIFF_OUTPUTS } from './diff-outputs.js';

/** Every command's output table. */
export const OUTPUT_TABLES = [ANALYZE_OUTPUTS, DIFF_OUTPUTS] as const;

/** `--json`, `--svg`, ...: every flag that names an output (and so takes the next word as its path). */
export const OUTPUT_FLAGS: ReadonlySet<string> = new Set(
  OUTPUT_TABLES.flatMap((table) => table.outputs.map((spec) => `--${spec.flag}`)),
);
