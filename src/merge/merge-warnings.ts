import { compareText } from '../text/compare.js';
import type { DocumentFields } from './document-fields.js';

/** One warning code over the runs: how often, in what unit, and one message for it. */
export interface WarningSum {
  readonly code: string;
  message: string;
  count: number;
  readonly unit: string;
}

/**
 * Adds a run's warnings into `sums`, by code. The message kept is the first in text order (a
 * message can name a run's own line or file; which run's it is must not depend on the inputs'
 * order). The example line numbers are a run's own and are not kept.
 */
export function mergeWarnings(
  sums: Map<string, WarningSum>,
  warnings: readonly unknown[],
  fields: DocumentFields,
): void {
  for (const [i, raw] of warnings.entries()) {
    const at = `warnings[${i}]`;
    const warning = fields.object(raw, at);
    const code = fields.string(warning.code, `${at}.code`);
    const message = fields.string(warning.message, `${at}.message`);
    const count = fields.number(warning.count, `${at}.count`);
    const unit = fields.string(warning.unit, `${at}.unit`);
    // The same code in another unit does not add up with it.
    const key = `${code}\0${unit}`;
    const known = sums.get(key);
    if (known === undefined) sums.set(key, { code, message, count, unit });
    else {
      known.count += count;
      if (compareText(message, known.message) < 0) known.message = message;
    }
  }
}
