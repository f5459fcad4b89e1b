import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { treeStacks } from '../src/folded-input/folded-tree.js';
import { readFolded } from '../src/folded-input/read-folded.js';

// Differential folded input and several inputs, as properties (issue 15).
const frame = fc.constantFrom('a', 'b', 'c', 'x y', '', 'f (m.py:3)', 'k_[k]');
const stack = fc
  .array(frame, { minLength: 1, maxLength: 5 })
  .filter((frames) => frames[frames.length - 1] !== '' && frames.join(';') !== '');
const fromText = (text: string) => readFolded('-', { stdin: Readable.from([Buffer.from(text)]) });

describe('folded reading properties', () => {
  it('differential lines: the tree weighs the second counts, the baseline the first, stack for stack', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ stack, before: fc.nat(1000), after: fc.nat(1000) }), { minLength: 1, maxLength: 20 }),
        async (lines) => {
          const profile = await fromText(lines.map((l) => `${l.stack.join(';')} ${l.before} ${l.after}\n`).join(''));
          const before = lines.reduce((sum, l) => sum + l.before, 0);
          const after = lines.reduce((sum, l) => sum + l.after, 0);
          assert.equal(profile.total, after);
          assert.equal(profile.tree.total[0], after);
          assert.ok(profile.baseline !== undefined);
          assert.equal(profile.baseline.total[0], before);
          // Per stack: the sums of its lines.
          const expected = new Map<string, number>();
          for (const l of lines) expected.set(l.stack.join(';'), (expected.get(l.stack.join(';')) ?? 0) + l.after);
          for (const [path, count] of treeStacks(profile.tree, (f) => profile.labels[f]))
            assert.equal(count, expected.get(path), path);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('several inputs read as one give what their concatenation gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.record({ stack, count: fc.nat(50) }), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (files) => {
          const texts = files.map((lines) => lines.map((l) => `${l.stack.join(';')} ${l.count}\n`).join(''));
          const { writeScratch, scratchDir } = await import('./helpers/scratch.js');
          const dir = scratchDir('folded-props');
          const merged = await readFolded(texts.map((text) => writeScratch(dir, text, 'part.folded')));
          const whole = await fromText(texts.join(''));
          const label = (p: typeof merged) => (f: number) => p.labels[f];
          assert.deepEqual(treeStacks(merged.tree, label(merged)), treeStacks(whole.tree, label(whole)));
          assert.equal(merged.total, whole.total);
          assert.equal(merged.inputs.length, files.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the lines kept to recognize perf script output are bounded (a file of huge lines)', async () => {
    const huge = `${'x'.repeat(4 << 20)} 1\n`;
    const profile = await fromText(huge.repeat(3));
    assert.equal(profile.total, 3);
  });
});
