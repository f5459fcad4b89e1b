import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { parseFrameLabel, frameWhere } from '../src/folded-input/frame-label.js';
import { treeStacks } from '../src/folded-input/folded-tree.js';
import { readFolded, type FoldedProfile } from '../src/folded-input/read-folded.js';
import { TraceInputError } from '../src/model/diagnostics.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

const FOLDED = join(FIXTURES, 'folded');
const scratch = scratchDir('folded-read');

/** A profile as stable text: counts, warnings, then the merged stacks (sorted) with their counts. */
export function profileText(profile: FoldedProfile): string {
  const lines = [
    `lines: ${profile.lines}`,
    `stack lines: ${profile.stackLines}`,
    `distinct stacks: ${profile.stacks}`,
    `frames: ${profile.labels.length}`,
    `total: ${profile.total}`,
  ];
  for (const w of profile.warnings)
    lines.push(`warning ${w.code}: ${w.count} ${w.unit} at lines [${w.lines.join(', ')}]: ${w.message}`);
  for (const [stack, count] of treeStacks(profile.tree, (frame) => profile.labels[frame]))
    lines.push(`${stack} ${count}`);
  return `${lines.join('\n')}\n`;
}

async function readError(path: string): Promise<TraceInputError> {
  try {
    await readFolded(path);
  } catch (error) {
    assert.ok(error instanceof TraceInputError, String(error));
    return error;
  }
  assert.fail(`${path} was read without an error`);
}

describe('reading folded stacks', () => {
  for (const name of [
    'perf-flamegraph-pl.folded',
    'inferno-annotated.folded',
    'python-labels.folded',
    'decimal-counts.folded',
    'crlf-blank.folded',
    'damaged.folded',
    'control-chars.folded',
  ]) {
    it(`golden: ${name}`, async () => {
      assertGolden(`folded-read/${name}.txt`, profileText(await readFolded(join(FOLDED, name))));
    });
  }

  it('gzip is recognized by its magic bytes, whatever the name', async () => {
    const plain = profileText(await readFolded(join(FOLDED, 'python-labels.folded')));
    const gz = await readFolded(join(FOLDED, 'python-labels.folded.gz'));
    assert.equal(gz.gzip, true);
    assert.equal(profileText(gz), plain);
    const renamed = writeScratch(scratch, readFileSync(join(FOLDED, 'python-labels.folded.gz')), 'stacks.txt');
    assert.equal(profileText(await readFolded(renamed)), plain);
  });

  it('reads stdin for -, in any chunking', async () => {
    const bytes = readFileSync(join(FOLDED, 'crlf-blank.folded'));
    const expected = profileText(await readFolded(join(FOLDED, 'crlf-blank.folded')));
    for (const size of [1, 2, 3, 7]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
      assert.equal(profileText(await readFolded('-', { stdin: Readable.from(pieces) })), expected, `chunks of ${size}`);
    }
    assert.equal((await readFolded('-', { stdin: Readable.from([bytes]) })).source, '<stdin>');
  });

  it('the count is after the last run of whitespace; frames keep their spaces', async () => {
    const path = writeScratch(scratch, 'a b;c (d:1) \t 3\nfunc with  two spaces\t\t2\n', 'spaces.folded');
    const profile = await readFolded(path);
    assert.deepEqual(
      treeStacks(profile.tree, (f) => profile.labels[f]),
      [
        ['a b;c (d:1)', 3],
        ['func with  two spaces', 2],
      ],
    );
    assert.deepEqual(profile.warnings, []);
  });

  it('a file with no valid line is an error naming the file, the first bad line and what was expected', async () => {
    const notFolded = await readError(join(FOLDED, 'no-valid-line.txt'));
    assert.equal(notFolded.line, 1);
    assert.match(
      notFolded.message,
      /no-valid-line\.txt:1: not folded stacks, no valid line: expected folded stacks, one "frame;frame;\.\.\.;frame COUNT" per line .*; this line has no count at the end/,
    );
    // A pyflame trace given by mistake: a header line, then tab-separated events.
    const trace = await readError(join(SAMPLES, 'threads.pyflame.txt'));
    assert.equal(trace.line, 2, 'its header line is a # comment');
    assert.match(trace.message, /stopped after 1000 such lines/);
    const binary = await readError(join(FIXTURES, 'damage/binary.bin'));
    assert.match(binary.message, /binary\.bin:\d+: /);
    const empty = await readError(writeScratch(scratch, '\n  \n\r\n', 'blank.folded'));
    assert.equal(empty.line, undefined);
    assert.match(empty.message, /no stacks \(empty, blank or only comments\)/);
    const missing = await readError(join(scratch, 'nope.folded'));
    assert.match(missing.message, /nope\.folded: cannot read: no such file or folder \(ENOENT\)/);
  });

  it('a deep stack (100,000 frames) is read without recursion', async () => {
    const depth = 100_000;
    const frames = Array.from({ length: depth }, (_, i) => `f${i % 13}`);
    const profile = await readFolded(writeScratch(scratch, `${frames.join(';')} 7\n`, 'deep.folded'));
    assert.equal(profile.tree.size, depth + 1);
    assert.equal(profile.tree.total[depth], 7);
    assert.equal(profile.tree.total[0], 7);
  });

  it('a node with many children switches to hash lookups and keeps every child apart', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) lines.push(`root;child${i} ${i + 1}`, `root;child${i};leaf 1`);
    for (let i = 199; i >= 0; i--) lines.push(`root;child${i} 1`);
    const profile = await readFolded(writeScratch(scratch, `${lines.join('\n')}\n`, 'wide.folded'));
    const stacks = new Map(treeStacks(profile.tree, (f) => profile.labels[f]));
    assert.equal(stacks.size, 400);
    for (let i = 0; i < 200; i++) {
      assert.equal(stacks.get(`root;child${i}`), i + 2);
      assert.equal(stacks.get(`root;child${i};leaf`), 1);
    }
  });
});

describe('frame labels', () => {
  const cases: [string, string, string, number | undefined][] = [
    ['encode_row (app/db.py:30)', 'encode_row', 'app/db.py', 30],
    ['_find_and_load (<frozen importlib._bootstrap>:1165)', '_find_and_load', '<frozen importlib._bootstrap>', 1165],
    ['<module> (/work/x.py:0)', '<module>', '/work/x.py', 0],
    ['wait (threading.py)', 'wait', 'threading.py', undefined],
    ['src/db_12.py:encode_row:1399', 'encode_row', 'src/db_12.py', 1399],
    ['<frozen getpath>:<module>:1', '<module>', '<frozen getpath>', 1],
    ['module.py:func', 'func', 'module.py', undefined],
    ['C:\\app\\main.py:run:7', 'run', 'C:\\app\\main.py', 7],
    ['plain', 'plain', '', undefined],
    ['java_start(Thread*)', 'java_start(Thread*)', '', undefined],
    ['JavaThread::run()', 'JavaThread::run()', '', undefined],
    ['vfs_write_[k]', 'vfs_write_[k]', '', undefined],
    ['a:b:c', 'a:b:c', '', undefined],
  ];
  for (const [label, name, file, line] of cases) {
    it(label, () => assert.deepEqual(parseFrameLabel(label), { name, file, line }));
  }
  it('where', () => {
    assert.equal(frameWhere(parseFrameLabel('f (a.py:3)')), 'a.py:3');
    assert.equal(frameWhere(parseFrameLabel('a.py:f')), 'a.py');
    assert.equal(frameWhere(parseFrameLabel('f')), '');
  });
});
