import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventLogCsv, warningsText } from './helpers/event-log.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES } from './helpers/paths.js';

// test/fixtures/formats/<format>/<case>: each file is detected as <format> without being told,
// and its event log and warnings match the goldens under test/golden/formats/.
const formatsDir = join(FIXTURES, 'formats');

for (const format of readdirSync(formatsDir).sort()) {
  describe(`format ${format}`, () => {
    for (const file of readdirSync(join(formatsDir, format)).sort()) {
      const path = join(formatsDir, format, file);
      it(`${file}: detected, parsed to the golden event log`, async () => {
        const { csv, summary } = await eventLogCsv(path);
        assert.equal(summary.format, format, 'detected format');
        assert.ok(summary.events > 0, 'some events');
        assertGolden(`formats/${format}/${file}.events.csv`, csv);
        assertGolden(`formats/${format}/${file}.summary.txt`, warningsText(summary));
      });
      it(`${file}: --format ${format} reads the same`, async () => {
        const detected = await eventLogCsv(path);
        const forced = await eventLogCsv(path, { format });
        assert.equal(forced.csv, detected.csv);
      });
    }
  });
}
