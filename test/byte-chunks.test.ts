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
