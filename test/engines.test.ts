import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { fastLinesAvailable } from '../src/parse/fast-lines.js';
import { eventLogCsv, warningsText } from './helpers/event-log.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { balancedTrace, toPyflameText, type GenEvent } from './helpers/trace-gen.js';

// The WebAssembly loop and the TypeScript parsers must read every input to the same log, whatever
// the read size: a line cut between two chunks included.
const scratch = scratchDir('engines');

async function assertSameEverywhere(path: string, chunkSizes: number[] = [1, 7, 4096]): Promise<void> {
  const reference = await eventLogCsv(path, { fastLines: false });
  const variants = [
    { fastLines: true },
    ...chunkSizes.flatMap((chunkBytes) => [
      { fastLines: true, chunkBytes },
      { fastLines: false, chunkBytes },
    ]),
  ];
  for (const options of variants) {
    const other = await eventLogCsv(path, options);
    assert.equal(other.csv, reference.csv, `event log with ${JSON.stringify(options)}`);
    assert.equal(
      warningsText(other.summary),
      warningsText(reference.summary),
      `warnings with ${JSON.stringify(options)}`,
    );
  }
}

/** The CPython docs' call_stack.d layout for a single-thread generated trace. */
function toDtraceText(events: readonly GenEvent[]): string {
  let depth = 0;
  const lines: string[] = [];
  for (const e of events) {
    if (e.file === undefined || e.tid !== events[0].tid) continue;
    const base = e.file.slice(e.file.lastIndexOf('/') + 1).replace(/:/g, '_');
    const func = e.func!.replace(/:/g, '_');
    if (e.probe === 'function__return') depth--;
    lines.push(
      `${e.ts}\t${(e.probe === 'function__entry' ? 'function-entry' : 'function-return').padStart(15)}:${' '.repeat(Math.max(depth, 0))}${base}:${func}:${e.line}`,
    );
    if (e.probe === 'function__entry') depth++;
  }
  return `${lines.join('\n')}\n`;
}

describe('the WebAssembly loop reads exactly as the TypeScript parsers do', () => {
  it('is available in this build', () =>
    assert.ok(fastLinesAvailable(), 'dist/src/wasm/fast-lines.wasm is built by npm run build'));

  for (const sample of readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.txt'))
    .sort()) {
    it(`sample ${sample}`, async () => assertSameEverywhere(join(SAMPLES, sample), [4096, 65536]));
  }
  for (const dir of ['formats/pyflame', 'formats/bpftrace', 'formats/dtrace', 'formats/stap', 'damage']) {
    for (const file of readdirSync(join(FIXTURES, dir)).filter(
      (name) => !/^(empty|blank|binary|not-a-trace)/.test(name),
    )) {
      it(`fixture ${dir}/${file}`, async () => assertSameEverywhere(join(FIXTURES, dir, file)));
    }
  }

  it('generated traces, both layouts, any read size', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, fc.integer({ min: 1, max: 300 }), async (events, chunk) => {
        for (const text of [toPyflameText(events), toDtraceText(events)]) {
          if (text.trim() === '') continue;
          await assertSameEverywhere(writeScratch(scratch, text), [chunk]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('generated traces with LF, CR LF and lone CR line ends, read 1, 2, 3 or any bytes at a time', async () => {
    // Small reads put a CR last in a chunk and split CR LF pairs between two chunks.
    await fc.assert(
      fc.asyncProperty(
        balancedTrace,
        fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 4, max: 300 }),
        async (events, endings, chunk) => {
          for (const text of [toPyflameText(events), toDtraceText(events)]) {
            if (text.trim() === '') continue;
            let line = 0;
            const mixed = text.replace(/\n/g, () => endings[line++ % endings.length]);
            await assertSameEverywhere(writeScratch(scratch, mixed), [1, 2, 3, chunk]);
          }
        },
      ),
      { numRuns: 10 },
    );
  });
});
