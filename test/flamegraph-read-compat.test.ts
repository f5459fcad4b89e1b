import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { treeStacks } from '../src/folded-input/folded-tree.js';
import { readFolded, type FoldedProfile } from '../src/folded-input/read-folded.js';
import { TraceInputError } from '../src/model/diagnostics.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

// Reading folded stacks the way flamegraph.pl, inferno and speedscope read them (issue 15).
const scratch = scratchDir('folded-compat');
const stacksOf = (profile: FoldedProfile) => treeStacks(profile.tree, (frame) => profile.labels[frame]);
const read = async (text: string | Buffer, options = {}) =>
  readFolded(writeScratch(scratch, text, 'stacks.folded'), options);

async function refusal(text: string): Promise<TraceInputError> {
  try {
    await read(text);
  } catch (error) {
    assert.ok(error instanceof TraceInputError, String(error));
    return error;
  }
  assert.fail('read without an error');
}

describe('folded stacks as the other tools read them', () => {
  it('empty frames are kept (a;;b, ;a), trailing ones dropped as perl split does (a;b; is a;b)', async () => {
    const profile = await read('a;;b 4\n;a 2\na;b; 1\na;b 1\n');
    assert.deepEqual(stacksOf(profile), [
      [';a', 2],
      ['a;;b', 4],
      ['a;b', 2],
    ]);
    assert.equal(profile.total, 8);
    assert.deepEqual(profile.warnings, []);
  });

  it('a line of only separators adds its count to the root', async () => {
    const profile = await read('a 1\n; 2\n');
    assert.equal(profile.total, 3);
    assert.equal(profile.tree.total[0], 3);
  });

  it('# comment lines are skipped and counted with their line numbers', async () => {
    const profile = await read('# duration: 1234\na;b 3\n# another 5\nc 1\n');
    assert.equal(profile.total, 4);
    assert.deepEqual(stacksOf(profile), [
      ['a;b', 3],
      ['c', 1],
    ]);
    assert.equal(profile.warnings.length, 1);
    assert.equal(profile.warnings[0].code, 'comment');
    assert.equal(profile.warnings[0].count, 2);
    assert.deepEqual(profile.warnings[0].lines, [1, 3]);
  });

  it('a UTF-8 byte order mark is dropped; UTF-16 LE and BE with a mark are read', async () => {
    const text = 'main;é✓ 3\nmain;𝄞 2\n';
    const expected = [
      ['main;é✓', 3],
      ['main;𝄞', 2],
    ];
    const bom = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    assert.deepEqual(stacksOf(bom), expected);
    assert.equal(bom.inputs[0].encoding, 'utf-8-bom');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    for (const [bytes, encoding] of [
      [le, 'utf-16le'],
      [be, 'utf-16be'],
    ] as const) {
      assert.deepEqual(stacksOf(await read(bytes)), expected, encoding);
      // Cut into chunks of every size, a code unit or a surrogate pair split across them.
      for (const size of [1, 3]) {
        const pieces: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
        const profile = await readFolded('-', { stdin: Readable.from(pieces) });
        assert.deepEqual(stacksOf(profile), expected, `${encoding} in chunks of ${size}`);
        assert.equal(profile.inputs[0].encoding, encoding);
      }
    }
  });

  it('several inputs are merged into one tree, each with its own warnings', async () => {
    const one = writeScratch(scratch, 'a;b 3\nbad line\n', 'one.folded');
    const two = writeScratch(scratch, 'a;b 1\na;c 2\n', 'two.folded');
    const profile = await readFolded([one, two]);
    assert.deepEqual(stacksOf(profile), [
      ['a;b', 4],
      ['a;c', 2],
    ]);
    assert.equal(profile.total, 6);
    assert.equal(profile.inputs.length, 2);
    assert.deepEqual(
      profile.inputs.map((input) => [input.source, input.warnings.length]),
      [
        [one, 1],
        [two, 0],
      ],
    );
    assert.match(profile.source, /one\.folded \+ 1 more$/);
  });

  it('raw perf script output is refused with the command that collapses it', async () => {
    const perf = [
      'java  4579 [001] 1234.567890:     250000 cpu-clock:',
      '\tffffffff8102a3b4 native_safe_halt+0x4 ([kernel.kallsyms])',
      '\t    7f3c2a1b0c10 Interpreter+0x1234 (/usr/lib/jvm/libjvm.so)',
      '',
      'swapper     0 [000] 1234.568000: 1 cycles: ',
      '\tffffffff8102a3b4 cpu_idle 0',
      '',
    ].join('\n');
    const error = await refusal(perf);
    assert.match(
      error.message,
      /not folded stacks: this is raw `perf script` output.*stackcollapse-perf\.pl.*inferno-collapse-perf/,
    );
    // A line ending in a number does not make it folded stacks.
    assert.match((await refusal(`${perf}\n`.repeat(30))).message, /perf script/);
  });

  it('differential lines (BEFORE AFTER): the width is AFTER, the baseline BEFORE', async () => {
    const profile = await read('a;b 10 14\na;c 5 0\na;d 0 3\ne 2\n');
    assert.deepEqual(stacksOf(profile), [
      ['a;b', 14],
      ['a;d', 3],
      ['e', 2],
    ]);
    assert.equal(profile.total, 19);
    const baseline = profile.baseline;
    assert.ok(baseline !== undefined);
    assert.equal(baseline.lines, 3);
    assert.equal(baseline.total[0], 17, 'before: 10 + 5 + 0 + 2 (a one-count line counts the same)');
    const label = (node: number) => profile.labels[profile.tree.frame[node]];
    const nodeOf = (name: string, parentName: string) =>
      Array.from({ length: profile.tree.size }, (_, n) => n).find(
        (n) => n > 0 && label(n) === name && label(profile.tree.parent[n]) === parentName,
      )!;
    assert.equal(baseline.total[nodeOf('c', 'a')], 5);
    assert.equal(profile.tree.total[nodeOf('c', 'a')], 0);
    assert.equal(baseline.total[nodeOf('d', 'a')], 0);
    assert.equal((await read('a;b 10\n')).baseline, undefined);
    // A frame ending in a word and a number stays one frame: only digits make a count.
    assert.deepEqual(stacksOf(await read('thread-7 3\n')), [['thread-7', 3]]);
  });

  it('--reverse merges from the leaf; --flamechart merges only with the stack before; --factor scales', async () => {
    assert.deepEqual(stacksOf(await read('a;b;c 1\nx;b;c 2\n', { reverse: true })), [
      ['c;b;a', 1],
      ['c;b;x', 2],
    ]);
    const chart = await read('a;b 1\na;c 1\na;b 1\n', { flamechart: true });
    // Three runs of a: merged (adjacent), b twice apart (not merged).
    const children = (parent: number) =>
      Array.from({ length: chart.tree.size }, (_, n) => n).filter((n) => n > 0 && chart.tree.parent[n] === parent);
    assert.equal(children(0).length, 1);
    assert.deepEqual(
      children(children(0)[0]).map((n) => chart.labels[chart.tree.frame[n]]),
      ['b', 'c', 'b'],
    );
    assert.equal((await read('a 3\nb 1.5\n', { factor: 2 })).total, 9);
  });
});
