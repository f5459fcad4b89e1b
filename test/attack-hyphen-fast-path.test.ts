import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { fastLinesAvailable } from '../src/parse/fast-lines.js';
import { PyflameLineParser } from '../src/parse/formats/pyflame-tsv.js';
import { eventLogCsv, warningsText } from './helpers/event-log.js';
import { FIXTURES } from './helpers/paths.js';
import { withCounts } from './helpers/unwritten-counts.js';
import { readThroughLoop as readLoop } from './helpers/through-loop.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { balancedTrace, toPyflameText } from './helpers/trace-gen.js';

// Issue 16: DTrace names CPython's probes with hyphens (`function-entry`, as probes/pyflame.d
// writes them), SystemTap and bpftrace with double underscores (`function__entry`). The WebAssembly
// loop must read both spellings itself, to exactly the events the TypeScript parser reads.
const scratch = scratchDir('hyphen-fast-path');

/** Reads `text` through pyflame's loop (helpers/through-loop.ts). */
const readThroughLoop = (text: string) => readLoop((writer) => new PyflameLineParser(writer), text);

/** The lines of `text` the TypeScript parser was handed when read through the loop; none rejected. */
function linesLeftToTypeScript(text: string): number[] {
  const { seen, rejected } = readThroughLoop(text);
  assert.deepEqual(rejected, [], 'no line rejected');
  return seen;
}

/** Each function line's probe in the spelling picked for it (cycling through `hyphens`). */
function respelled(text: string, hyphens: readonly boolean[]): string {
  let event = 0;
  return text.replace(/\t(function__entry|function__return|gc__start|gc__done)\t/g, (_m, probe: string) =>
    hyphens[event++ % hyphens.length] ? `\t${probe.replace('__', '-')}\t` : `\t${probe}\t`,
  );
}

const HEADER = '# pyflame-trace v1 clock=dtrace_timestamp\n';
const HYPHENATED = [
  '1000\t7\t7\tfunction-entry\t/a.py\t<module>\t1',
  '1010\t7\t7\tfunction-entry\t/a.py\tf\t3\tu=2',
  '1020\t7\t8\tfunction-entry\t/odd\tname.py\tg\t5\tu=0',
  '1030\t7\t8\tfunction-return\t/odd\tname.py\tg\t6',
  '1040\t7\t7\tfunction-return\t/a.py\tf\t4\tu=12',
  '1050\t7\t7\tfunction-return\t/a.py\t<module>\t2',
].join('\n');

describe('hyphenated probe names on the fast path (issue 16)', () => {
  it('the WebAssembly loop is built (the engines are compared below)', () => assert.ok(fastLinesAvailable()));

  it('the loop reads function-entry/function-return lines itself: only the header and the first event (the time base) go to TypeScript', () => {
    assert.deepEqual(linesLeftToTypeScript(`${HEADER}${HYPHENATED}\n`), [1, 2]);
  });

  it('the same holds for the underscore spelling and for the two mixed', () => {
    const underscored = HYPHENATED.replace(/function-(entry|return)/g, 'function__$1');
    assert.deepEqual(linesLeftToTypeScript(`${HEADER}${underscored}\n`), [1, 2]);
    const mixed = HYPHENATED.split('\n')
      .map((line, i) => (i % 2 === 0 ? line : line.replace(/function-(entry|return)/, 'function__$1')))
      .join('\n');
    assert.deepEqual(linesLeftToTypeScript(`${HEADER}${mixed}\n`), [1, 2]);
  });

  it('near misses of the spelling still go to TypeScript (read as it reads them)', () => {
    const text = [
      '1000\t7\t7\tfunction-entry\t/a.py\tf\t1',
      '1001\t7\t7\tfunction-entryx\t/a.py\tf\t1',
      '1002\t7\t7\tfunction_entry\t/a.py\tf\t1',
      '1003\t7\t7\tfunction-returned\t/a.py\tf\t1',
      '1004\t7\t7\tfunction-retur\t/a.py\tf\t1',
      '1005\t7\t7\tfunction-return\t/a.py\tf\t2',
      '',
    ].join('\n');
    const { seen, rejected, events } = readThroughLoop(text);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.deepEqual(rejected, [2, 3, 4, 5]);
    assert.equal(events, 2);
  });

  it('fixture formats/pyflame/hyphenated-probes.txt reads the same in both engines and as its underscore copy', async () => {
    const path = join(FIXTURES, 'formats/pyflame/hyphenated-probes.txt');
    const reference = await eventLogCsv(path, { fastLines: false });
    const underscored = readFileSync(path, 'latin1').replace(
      /\t(function|gc)-(entry|return|start|done)\t/g,
      '\t$1__$2\t',
    );
    const underscoredPath = writeScratch(scratch, Buffer.from(underscored, 'latin1'));
    assert.equal((await eventLogCsv(underscoredPath, { fastLines: false })).csv, reference.csv);
    for (const chunkBytes of [undefined, 1, 7, 4096]) {
      const fast = await eventLogCsv(path, { fastLines: true, chunkBytes });
      assert.equal(fast.csv, reference.csv, `event log, chunkBytes ${chunkBytes}`);
      assert.equal(warningsText(fast.summary), warningsText(reference.summary));
    }
  });

  it('generated traces mixing the spellings, with u= fields: the same events in both engines at any read size, and as with underscores only', async () => {
    await fc.assert(
      fc.asyncProperty(
        balancedTrace,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        fc.array(fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 }))), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 300 }),
        async (events, hyphens, counts, chunkBytes) => {
          const underscored = withCounts(toPyflameText(events), counts);
          const mixed = respelled(underscored, hyphens);
          const reference = await eventLogCsv(writeScratch(scratch, underscored), { fastLines: false });
          const mixedPath = writeScratch(scratch, mixed);
          for (const options of [
            { fastLines: false },
            { fastLines: true },
            { fastLines: true, chunkBytes },
            { fastLines: false, chunkBytes },
          ]) {
            const read = await eventLogCsv(mixedPath, options);
            assert.equal(read.csv, reference.csv, `event log with ${JSON.stringify(options)}`);
            assert.equal(warningsText(read.summary), warningsText(reference.summary));
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
