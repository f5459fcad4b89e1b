import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { analysisJsonText } from '../src/export/analysis-json.js';
import { TraceInputError } from '../src/model/diagnostics.js';
import { readTrace, type ReadTraceOptions } from '../src/parse/read-trace.js';
import { SHARED_BATCHES } from '../src/parse/threaded/protocol.js';
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

describe('the parsing thread fills the same batches again', () => {
  const path = join(SAMPLES, 'threads.pyflame.txt');
  // Thousands of lines in batches of 50: ~100-150 batches, many more than the pool holds.
  const small = { batchSize: 50 };

  it('batches come in shared memory, a pool of them reused, with the events read in line', async () => {
    // Small reads: the worker's event loop turns between them and takes the acknowledgements
    // (a file read in one go is parsed before any comes back). A trace in order: the reorder
    // stage makes no batches of its own.
    const options = { ...small, reorderWindow: 100, chunkBytes: 4096 };
    const path = join(SAMPLES, 'recursion.pyflame.txt');
    const buffers: ArrayBufferLike[] = [];
    await readTraceThreaded(path, { ...options, onBatch: (batch) => void buffers.push(batch.ts.buffer) });
    assert.ok(buffers.length > 2 * SHARED_BATCHES, `${buffers.length} batches`);
    // The first batch is the reader's own (made before the pool is reached), transferred; every
    // later one lives in one of a few shared buffers, each used again and again.
    assert.ok(
      buffers.slice(1).every((buffer) => buffer instanceof SharedArrayBuffer),
      'shared',
    );
    const distinct = new Set(buffers.slice(1)).size;
    assert.ok(distinct <= SHARED_BATCHES && distinct < buffers.length / 4, `${distinct} buffers`);
    const inline = await eventsSeen(readTrace, path, options);
    assert.deepEqual(await eventsSeen(readTraceThreaded, path, options), inline);
  });

  it('past the pool (a reorder window wider than it), batches are transferred: same events', async () => {
    // The default window holds the whole file: every batch is held at once.
    const transferred: Uint8Array[] = [];
    let count = 0;
    await readTraceThreaded(path, {
      ...small,
      onBatch: (batch) => {
        count++;
        if (!(batch.ts.buffer instanceof SharedArrayBuffer)) transferred.push(batch.kind);
      },
    });
    assert.ok(
      count > SHARED_BATCHES + 4 && transferred.length >= count - SHARED_BATCHES,
      `${transferred.length} of ${count}`,
    );
    // An acknowledgement may wait one turn of the event loop (read-trace-threaded.ts, YIELD_MS).
    await new Promise((resolve) => setImmediate(resolve));
    // Handed back (transferred again): gone from this thread, every one.
    assert.deepEqual(
      transferred.map((kind) => kind.byteLength),
      transferred.map(() => 0),
    );
    assert.deepEqual(await eventsSeen(readTraceThreaded, path, small), await eventsSeen(readTrace, path, small));
  });
});
