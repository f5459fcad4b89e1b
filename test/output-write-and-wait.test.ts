import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { openOutput, OutputWriteError } from '../src/io/output.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('write-and-wait');

/** Writes `rounds` pieces through one buffer, filled again as soon as each writeAndWait resolves. */
async function writeThroughOneBuffer(path: string, rounds: number, size: number): Promise<string> {
  const output = await openOutput(path);
  const buffer = Buffer.alloc(size);
  let expected = '';
  for (let round = 0; round < rounds; round++) {
    const letter = String.fromCharCode(0x61 + (round % 26));
    buffer.fill(letter);
    await output.writeAndWait(buffer);
    expected += letter.repeat(size);
  }
  await output.commit();
  return expected;
}

describe('TextOutput.writeAndWait (a writer may fill its buffer again once it resolves)', () => {
  it('a file gets every piece as it was when written, though the buffer is refilled at once', async () => {
    const path = join(dir, 'pieces.txt');
    const expected = await writeThroughOneBuffer(path, 40, 1 << 20);
    assert.equal(readFileSync(path, 'latin1'), expected);
  });

  it('through gzip too', async () => {
    const path = join(dir, 'pieces.txt.gz');
    const output = await openOutput(path, process.stdout, { gzip: true });
    const buffer = Buffer.alloc(1 << 18);
    let expected = '';
    for (let round = 0; round < 30; round++) {
      // Incompressible-ish content per round, so that gzip cannot hide a piece that changed.
      for (let i = 0; i < buffer.length; i++) buffer[i] = 0x21 + ((i * 7919 + round * 104729) % 90);
      expected += buffer.toString('latin1');
      await output.writeAndWait(buffer);
    }
    await output.commit();
    assert.equal(gunzipSync(readFileSync(path)).toString('latin1'), expected);
  });

  it('a full device fails the write with an error naming the path, instead of hanging', async (t) => {
    if (!existsSync('/dev/full')) return t.skip('no /dev/full here');
    const output = await openOutput('/dev/full');
    await assert.rejects(
      async () => {
        for (let i = 0; i < 4; i++) await output.writeAndWait(Buffer.alloc(1 << 16, 0x41));
        await output.commit();
      },
      (error: unknown) => error instanceof OutputWriteError && /\/dev\/full/.test(error.message),
    );
    await output.abort();
  });

  it('leaves no temporary file behind after a commit', () => {
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.includes('.tmp-')),
      [],
    );
  });
});

describe('TextOutput.drain (several waits at once: a parsing thread has a few batches in flight)', () => {
  it('share one wait for room: every caller resumes, and Node sees no listener leak', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const path = join(dir, 'drained.txt');
      const output = await openOutput(path);
      let expected = '';
      for (let round = 0; round < 8; round++) {
        // More than the stream's buffer: every drain below has to wait for the file.
        const piece = Buffer.alloc(1 << 20, 0x61 + round);
        output.write(piece);
        expected += piece.toString('latin1');
        await Promise.all(Array.from({ length: 25 }, () => output.drain()));
      }
      await output.commit();
      assert.equal(readFileSync(path, 'latin1'), expected);
      // A warning is emitted on the next tick: give it one.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        warnings.map((warning) => warning.name),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a failure reaches every waiting caller, named by the path', async (t) => {
    if (!existsSync('/dev/full')) return t.skip('no /dev/full here');
    const output = await openOutput('/dev/full');
    output.write(Buffer.alloc(1 << 20, 0x41));
    const waits = Array.from({ length: 12 }, () => output.drain());
    const results = await Promise.allSettled(waits);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.reason instanceof OutputWriteError && /\/dev\/full/.test(result.reason.message));
    }
    await output.abort();
  });
});
