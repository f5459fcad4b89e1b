import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { analysisJsonText } from '../src/export/analysis-json.js';
import { TraceInputError } from '../src/model/diagnostics.js';
import { readTrace, type ReadTraceOptions } from '../src/parse/read-trace.js';
import { readTraceThreaded } from '../src/parse/threaded/read-trace-threaded.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';

/** Every event as text, with its names resolved: what a consumer sees. */
async function eventsSeen(
  read: typeof readTrace,
  path: string,
  options: ReadTraceOptions = {},
): Promise<{ rows: string[]; warnings: string }> {
  const rows: string[] = [];
  const summary = await read(path, {
    ...options,
    onBatch: (batch, { frames, time }) => {
      for (let i = 0; i < batch.length; i++) {
        const frame = batch.frame[i];
        const where =
          frame < 0
            ? ''
            : `${frames.file(frame)}:${frames.func(frame)}:${frames.line(frame)}:${frames.fn(frame)}:${frame}`;
        rows.push(
          `${time.absolute(batch.ts[i])} ${batch.kind[i]} ${batch.pid[i]} ${batch.tid[i]} ${where} ${batch.value[i]} ${batch.name[i]} ${batch.srcLine[i]}`,
        );
      }
    },
  });
  return {
    rows,
    warnings: JSON.stringify([summary.warnings, summary.events, summary.lines, summary.format, summary.metadata]),
  };
}

const inputs = [
  ...readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => join(SAMPLES, name)),
  ...['damage/junk-lines.txt', 'damage/gzip.txt.gz', 'damage/out-of-order.txt', 'formats/csv/quoted.csv'].map((name) =>
    join(FIXTURES, name),
  ),
];

describe('parsing on a second thread gives exactly what parsing in line gives', () => {
  for (const path of inputs) {
    it(path.slice(path.lastIndexOf('/') + 1), async () => {
      const inline = await eventsSeen(readTrace, path, { batchSize: 1000 });
      const threaded = await eventsSeen(readTraceThreaded, path, { batchSize: 1000 });
      assert.deepEqual(threaded.rows, inline.rows);
      assert.equal(threaded.warnings, inline.warnings);
    });
  }

  it('the same analysis, byte for byte', async () => {
    for (const path of inputs.filter((p) => p.includes('sample-traces'))) {
      const inline = analysisJsonText(await analyzeTrace(path, { parseThread: false }));
      const threaded = analysisJsonText(await analyzeTrace(path));
      assert.equal(threaded, inline, path);
    }
  });

  it('an unreadable input is the same error', async () => {
    for (const bad of ['damage/binary.bin', 'damage/empty.txt', 'damage/not-a-trace.txt', 'no/such/file']) {
      const path = join(FIXTURES, bad);
      const inline = await readTrace(path).then(
        () => undefined,
        (error: unknown) => error,
      );
      await assert.rejects(readTraceThreaded(path), (error: unknown) => {
        assert.ok(error instanceof TraceInputError, String(error));
        assert.equal(error.message, (inline as Error).message);
        return true;
      });
    }
  });
});

describe('the parsing thread fills the same arrays again', () => {
  it('a batch’s arrays go back to the thread once onBatch returns; the events are those read in line', async () => {
    const path = join(SAMPLES, 'threads.pyflame.txt');
    const seen: Uint8Array[] = [];
    const { rows } = await eventsSeen(readTraceThreaded, path, { batchSize: 500 });
    await readTraceThreaded(path, { batchSize: 500, onBatch: (batch) => void seen.push(batch.kind) });
    // An acknowledgement may wait one turn of the event loop (read-trace-threaded.ts, YIELD_MS).
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(seen.length > 4, `${seen.length} batches`);
    // Handed back (transferred): gone from this thread, every one.
    assert.deepEqual(
      seen.map((kind) => kind.byteLength),
      seen.map(() => 0),
    );
    assert.deepEqual(rows, (await eventsSeen(readTrace, path, { batchSize: 500 })).rows);
  });
});
