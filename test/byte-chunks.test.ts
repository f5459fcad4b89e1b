import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { asciiBytes, ByteChunks } from '../src/export/speedscope/byte-chunks.js';

/** Everything a ByteChunks wrote, as one string, and the sizes of the chunks it handed over. */
async function collect(produce: (out: ByteChunks) => Promise<void>): Promise<{ text: string; chunks: number[] }> {
  const parts: Buffer[] = [];
  const chunks: number[] = [];
  const out = new ByteChunks((chunk) => {
    // Kept, not copied (as a stream keeps it): a writer that reused a handed-over chunk would
    // overwrite what is kept here, and the comparison would fail.
    parts.push(
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'latin1')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length),
    );
    chunks.push(chunk.length);
  });
  await produce(out);
  await out.flush();
  return { text: Buffer.concat(parts).toString('latin1'), chunks };
}

describe('ByteChunks (the speedscope writer’s formatter)', () => {
  it('writes every number exactly as JSON.stringify does', async () => {
    const numbers = fc.oneof(
      fc.maxSafeInteger(),
      fc.integer({ min: -1e6, max: 2e10 }),
      fc.double({ noNaN: true }),
      fc.constantFrom(0, -0, 999999999, 1e9, 1e18, 2 ** 53, -(2 ** 53) + 1, Infinity, -Infinity),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(numbers, { maxLength: 50 }), async (values) => {
        const { text } = await collect(async (out) => {
          for (const value of values) {
            out.number(value);
            out.bytes(asciiBytes(','));
          }
        });
        assert.equal(text, values.map((value) => `${JSON.stringify(value)},`).join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps text and bytes in order across many chunks, never reusing a chunk it handed over', async () => {
    const piece = asciiBytes('{"type":"O","frame":');
    const { text, chunks } = await collect(async (out) => {
      for (let i = 0; i < 200_000; i++) {
        out.bytes(piece);
        out.number(i * 1_000_003);
        if (out.full) await out.flush();
        if (i % 50_000 === 0) await out.text(`<${i}>`);
      }
    });
    let expected = '';
    for (let i = 0; i < 200_000; i++) {
      expected += `{"type":"O","frame":${i * 1_000_003}`;
      if (i % 50_000 === 0) expected += `<${i}>`;
    }
    assert.equal(text, expected);
    assert.ok(chunks.length > 4, 'the document is handed over in several chunks');
    assert.ok(Math.max(...chunks) <= 1 << 20, 'no chunk exceeds its buffer');
  });
});

describe('ByteChunks with reuse (a sink done with each chunk when it resolves)', () => {
  it('writes the same bytes through a few buffers taking turns', async () => {
    const piece = asciiBytes(',{"type":"C","frame":');
    const seen = new Set<ArrayBufferLike>();
    const parts: Buffer[] = [];
    // Copies each chunk, as a file's finished write has taken it.
    const out = new ByteChunks((chunk) => {
      if (typeof chunk === 'string') parts.push(Buffer.from(chunk, 'latin1'));
      else {
        seen.add(chunk.buffer);
        parts.push(Buffer.from(chunk));
      }
    }, true);
    let expected = '';
    for (let i = 0; i < 300_000; i++) {
      out.bytes(piece);
      out.number(i * 7_000_001);
      expected += `,{"type":"C","frame":${i * 7_000_001}`;
      if (out.full) await out.flush();
    }
    await out.end();
    assert.equal(Buffer.concat(parts).toString('latin1'), expected);
    assert.ok(parts.length > 5, 'several chunks were handed over');
    assert.equal(seen.size, 4, 'four buffers, each used again');
  });

  it('fills the next chunk while earlier ones are written, never one still being written', async () => {
    // A slow sink that reads each chunk only when its write "happens" (after a timer), as the
    // kernel reads a buffer handed to an asynchronous write: a chunk filled again before its
    // write settled would be read with the wrong bytes.
    const parts: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    let pending = 0;
    let mostPending = 0;
    const out = new ByteChunks(async (chunk) => {
      if (typeof chunk !== 'string') buffers.add(chunk.buffer);
      pending++;
      mostPending = Math.max(mostPending, pending);
      await new Promise((resolve) => setImmediate(resolve));
      parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.from(chunk));
      pending--;
    }, true);
    let expected = '';
    for (let i = 0; i < 900_000; i++) {
      out.bytes(asciiBytes('{"at":'));
      out.number(i * 99_991);
      expected += `{"at":${i * 99_991}`;
      if (out.full) await out.flush();
      if (i % 300_000 === 0) {
        // A text too long for the chunk goes through after every chunk before it.
        const long = `"${'x'.repeat(1 << 20)}${i}"`;
        await out.text(long);
        expected += long;
      }
    }
    await out.end();
    assert.equal(pending, 0, 'end() waits for every write');
    assert.equal(Buffer.concat(parts).toString('latin1'), expected);
    assert.equal(mostPending, 4, 'writes overlap the filling, at most four chunks (4 MiB) handed over at once');
    assert.equal(buffers.size, 4, 'the same four buffers throughout, long texts between them included');
  });

  it('throws a failed write from the next flush or end, never as an unhandled rejection', async () => {
    let writes = 0;
    const out = new ByteChunks(async () => {
      const write = ++writes;
      await new Promise((resolve) => setImmediate(resolve));
      if (write === 2) throw new Error('ENOSPC: no space left on device');
    }, true);
    const fill = () => {
      while (!out.full) out.number(123_456_789);
    };
    await assert.rejects(
      (async () => {
        for (let i = 0; i < 20; i++) {
          fill();
          await out.flush();
        }
        await out.end();
      })(),
      /ENOSPC/,
    );
    assert.ok(writes < 20, 'the producer stopped soon after the failure');
  });

  it('copy() splits any run of bytes across chunks, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 << 20 }), { minLength: 1, maxLength: 6 }),
        async (sizes) => {
          const runs = sizes.map((size, k) => Buffer.alloc(size, 0x41 + k));
          const { text } = await collect(async (out) => {
            for (const run of runs) await out.copy(run);
          });
          assert.equal(text, Buffer.concat(runs).toString('latin1'));
        },
      ),
      { numRuns: 20 },
    );
  });
});
