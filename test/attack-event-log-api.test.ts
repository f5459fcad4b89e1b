import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EVENT_LOG_FORMATS, readTrace } from '../src/index.js';
import { SAMPLES } from './helpers/paths.js';

// Issue 16 made the event-log writers write bytes (`batch(batch, trace, write)`); the library's
// earlier form, `batch(batch, trace)` returning the text, must keep working for its users.
describe('event-log writers through the library', () => {
  for (const name of ['csv', 'jsonl'] as const) {
    it(`${name}: batch(batch, trace) returns the text batch(batch, trace, write) writes`, async () => {
      const asBytes = EVENT_LOG_FORMATS[name].create();
      const asText = EVENT_LOG_FORMATS[name].create();
      const pieces: Uint8Array[] = [];
      let text = '';
      let batches = 0;
      await readTrace(join(SAMPLES, 'threads.pyflame.txt'), {
        onBatch: (batch, trace) => {
          batches++;
          asBytes.batch(batch, trace, (bytes) => pieces.push(bytes));
          const returned: string = asText.batch(batch, trace);
          assert.equal(typeof returned, 'string');
          text += returned;
        },
      });
      assert.ok(batches > 0);
      assert.ok(text.length > 1000, 'some events');
      assert.equal(text, Buffer.concat(pieces).toString('utf8'));
    });
  }
});
