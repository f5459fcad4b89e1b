import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import {
  bytesReader,
  ElfError,
  readStapsdtNotes,
  readStapsdtNotesFromFile,
  type StapsdtNote,
} from '../src/record/elf-notes.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

const scratch = scratchDir('record-elf');
const DEBIAN_PYTHON = '/usr/bin/python3.11';

interface CraftedNote {
  readonly owner: string;
  readonly type: number;
  /** pc, base, semaphore */
  readonly addresses?: readonly [bigint, bigint, bigint];
  readonly strings?: readonly [string, string, string];
  /** Raw description instead of addresses + strings. */
  readonly desc?: Uint8Array;
}

/**
 * A minimal ELF file written from the System V ABI layouts (independently of the reader): a null
 * section, `.shstrtab`, optionally a note section, and the section header table at the end.
 */
function craftElf({
  is64 = true,
  little = true,
  notes = [] as CraftedNote[],
  noteSectionName = '.note.stapsdt',
  noteType = 7,
} = {}): Uint8Array {
  const word = is64 ? 8 : 4;
  const align4 = (n: number) => (n + 3) & ~3;
  const put = (view: DataView, at: number, size: 2 | 4 | 8, value: number | bigint) => {
    if (size === 2) view.setUint16(at, Number(value), little);
    else if (size === 4) view.setUint32(at, Number(value), little);
    else view.setBigUint64(at, BigInt(value), little);
  };
  // The note section.
  const noteChunks: Uint8Array[] = notes.map((note) => {
    const owner = Buffer.from(`${note.owner}\0`, 'latin1');
    let desc: Uint8Array;
    if (note.desc !== undefined) desc = note.desc;
    else {
      const strings = Buffer.from(`${(note.strings ?? ['python', 'x', '']).join('\0')}\0`, 'latin1');
      desc = new Uint8Array(3 * word + strings.length);
      const view = new DataView(desc.buffer);
      (note.addresses ?? [0n, 0n, 0n]).forEach((address, index) => put(view, index * word, word as 4 | 8, address));
      desc.set(strings, 3 * word);
    }
    const chunk = new Uint8Array(12 + align4(owner.length) + align4(desc.length));
    const view = new DataView(chunk.buffer);
    put(view, 0, 4, owner.length);
    put(view, 4, 4, desc.length);
    put(view, 8, 4, note.type);
    chunk.set(owner, 12);
    chunk.set(desc, 12 + align4(owner.length));
    return chunk;
  });
  const noteSection = Buffer.concat(noteChunks);
  const names = Buffer.from(`\0.shstrtab\0${noteSectionName}\0`, 'latin1');
  const headerSize = is64 ? 64 : 52;
  const entrySize = is64 ? 64 : 40;
  const namesAt = headerSize;
  const notesAt = align4(namesAt + names.length);
  const tableAt = align4(notesAt + noteSection.length);
  const sections = [
    { name: 0, type: 0, offset: 0, size: 0 },
    { name: 1, type: 3, offset: namesAt, size: names.length },
    { name: 11, type: noteType, offset: notesAt, size: noteSection.length },
  ];
  const file = new Uint8Array(tableAt + sections.length * entrySize);
  const view = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, little ? 1 : 2, 1], 0);
  put(view, 16, 2, 2); // ET_EXEC
  put(view, 18, 2, is64 ? 62 : 3);
  put(view, 20, 4, 1);
  if (is64) {
    put(view, 0x28, 8, tableAt);
    put(view, 0x34, 2, headerSize);
    put(view, 0x3a, 2, entrySize);
    put(view, 0x3c, 2, sections.length);
    put(view, 0x3e, 2, 1);
  } else {
    put(view, 0x20, 4, tableAt);
    put(view, 0x28, 2, headerSize);
    put(view, 0x2e, 2, entrySize);
    put(view, 0x30, 2, sections.length);
    put(view, 0x32, 2, 1);
  }
  file.set(names, namesAt);
  file.set(noteSection, notesAt);
  sections.forEach((section, index) => {
    const at = tableAt + index * entrySize;
    put(view, at, 4, section.name);
    put(view, at + 4, 4, section.type);
    if (is64) {
      put(view, at + 0x18, 8, section.offset);
      put(view, at + 0x20, 8, section.size);
    } else {
      put(view, at + 0x10, 4, section.offset);
      put(view, at + 0x14, 4, section.size);
    }
  });
  return file;
}

const TWO_MARKERS: CraftedNote[] = [
  {
    owner: 'stapsdt',
    type: 3,
    addresses: [0x4f20a1n, 0x8cc5a0n, 0xa84260n],
    strings: ['python', 'function__entry', '8@%rbp 8@%r12 -4@%eax'],
  },
  { owner: 'GNU', type: 3, desc: new Uint8Array(20) }, // another owner's note of the same type: skipped
  { owner: 'stapsdt', type: 3, addresses: [0x42512an, 0x8cc5a0n, 0n], strings: ['python', 'audit', '8@%rbx 8@%r15'] },
];

const short = (notes: StapsdtNote[]) =>
  notes.map((note) => [note.provider, note.name, note.args, note.pc, note.base, note.semaphore]);

test("elf notes: a 64-bit little-endian file with two markers, another owner's note skipped", () => {
  const notes = readStapsdtNotes(bytesReader(craftElf({ notes: TWO_MARKERS })));
  assert.deepEqual(short(notes), [
    ['python', 'function__entry', '8@%rbp 8@%r12 -4@%eax', 0x4f20a1n, 0x8cc5a0n, 0xa84260n],
    ['python', 'audit', '8@%rbx 8@%r15', 0x42512an, 0x8cc5a0n, 0n],
  ]);
});

test('elf notes: 32-bit and big-endian files (4-byte addresses, swapped byte order)', () => {
  const notes: CraftedNote[] = [
    {
      owner: 'stapsdt',
      type: 3,
      addresses: [0x8048123n, 0x804a000n, 0x804c010n],
      strings: ['python', 'gc__start', '-4@8(%esp)'],
    },
  ];
  const expected = [['python', 'gc__start', '-4@8(%esp)', 0x8048123n, 0x804a000n, 0x804c010n]];
  for (const [is64, little] of [
    [false, true],
    [false, false],
    [true, false],
  ] as const) {
    assert.deepEqual(
      short(readStapsdtNotes(bytesReader(craftElf({ is64, little, notes })))),
      expected,
      `is64=${is64} little=${little}`,
    );
  }
});

test('elf notes: no .note.stapsdt section (or one that is not SHT_NOTE) gives no markers', () => {
  assert.deepEqual(
    readStapsdtNotes(bytesReader(craftElf({ notes: TWO_MARKERS, noteSectionName: '.note.gnu.build-id' }))),
    [],
  );
  assert.deepEqual(readStapsdtNotes(bytesReader(craftElf({ notes: TWO_MARKERS, noteType: 1 }))), []);
  assert.deepEqual(readStapsdtNotes(bytesReader(craftElf({ notes: [] }))), []);
});

test('elf notes: not ELF, truncated or corrupt files give a clear ElfError', () => {
  const good = craftElf({ notes: TWO_MARKERS });
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty', new Uint8Array(0), /not an ELF file/],
    ['a script', Buffer.from('#!/usr/bin/env bash\nexec python3 "$@"\n'), /not an ELF file/],
    ['bad class', Uint8Array.from([...good.subarray(0, 4), 9, ...good.subarray(5)]), /unknown ELF class 9/],
    ['bad byte order', Uint8Array.from([...good.subarray(0, 5), 7, ...good.subarray(6)]), /unknown ELF byte order 7/],
    ['header cut', good.subarray(0, 40), /the ELF header is cut short/],
    ['section table cut', good.subarray(0, good.length - 10), /section header 2 is cut short/],
  ];
  // A note whose description size runs past the section.
  const bad = craftElf({ notes: TWO_MARKERS });
  const notesAt = 64 + ((Buffer.from('\0.shstrtab\0.note.stapsdt\0').length + 3) & ~3);
  new DataView(bad.buffer).setUint32(notesAt + 4, 0x7fffffff, true);
  cases.push(['note size', bad, /runs past the section/]);
  // A description without its terminating NULs.
  cases.push([
    'unterminated',
    craftElf({ notes: [{ owner: 'stapsdt', type: 3, desc: Uint8Array.from([...new Uint8Array(24), 0x70, 0x79]) }] }),
    /provider is not NUL-terminated/,
  ]);
  for (const [name, bytes, message] of cases) {
    assert.throws(
      () => readStapsdtNotes(bytesReader(bytes)),
      (error: unknown) => error instanceof ElfError && message.test(error.message),
      name,
    );
  }
});

test('elf notes: random bytes and damaged copies of a valid file never crash the reader (an ElfError or a list)', () => {
  const good = craftElf({ notes: TWO_MARKERS });
  const survives = (bytes: Uint8Array) => {
    try {
      const notes = readStapsdtNotes(bytesReader(bytes));
      return Array.isArray(notes);
    } catch (error) {
      if (error instanceof ElfError) return true;
      throw error;
    }
  };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => survives(bytes)),
    { numRuns: 2000 },
  );
  // Valid magic and layout, then damage: flipped bytes anywhere, and any cut.
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat(good.length),
      (flips, cut) => {
        const bytes = Uint8Array.from(good);
        for (const [at, value] of flips) bytes[at] = value;
        return survives(bytes) && survives(bytes.subarray(0, cut));
      },
    ),
    { numRuns: 3000 },
  );
});

// The truth for this file was learned with `readelf -n /usr/bin/python3.11` (Debian 12, 3.11.2):
// eight python markers, each with its own semaphore. When readelf is installed the test also
// compares every field with it; it does not need it.
test("elf notes: Debian's /usr/bin/python3.11 carries the eight python markers", {
  skip: existsSync(DEBIAN_PYTHON) ? false : `${DEBIAN_PYTHON} not installed`,
}, () => {
  const notes = readStapsdtNotesFromFile(DEBIAN_PYTHON);
  const names = notes.filter((note) => note.provider === 'python').map((note) => note.name);
  assert.deepEqual([...names].sort(), [
    'audit',
    'function__entry',
    'function__return',
    'gc__done',
    'gc__start',
    'import__find__load__done',
    'import__find__load__start',
    'line',
  ]);
  for (const note of notes) {
    assert.ok(note.pc > 0n && note.base > 0n, `${note.name}: pc and base set`);
    assert.ok(note.semaphore > 0n, `${note.name}: CPython guards every marker with a semaphore`);
    assert.match(note.args, /^(-?\d+@\S+)( -?\d+@\S+)*$/, `${note.name}: argument list`);
  }
  assert.equal(new Set(notes.map((note) => note.semaphore)).size, notes.length, 'one semaphore per marker');
  assert.equal(notes.find((note) => note.name === 'function__entry')?.args.split(' ').length, 3);
  const readelf = spawnSync('readelf', ['-n', '--wide', DEBIAN_PYTHON], { encoding: 'utf8' });
  if (readelf.status === 0) {
    const truth = [
      ...readelf.stdout.matchAll(
        /Provider: (\S+)\s+Name: (\S+)\s+Location: (0x[0-9a-f]+), Base: (0x[0-9a-f]+), Semaphore: (0x[0-9a-f]+)\s+Arguments: ([^\n]*)/g,
      ),
    ].map((m) => [m[1], m[2], m[6].trim(), BigInt(m[3]), BigInt(m[4]), BigInt(m[5])]);
    assert.equal(truth.length, 8);
    assert.deepEqual(short(notes), truth);
  }
});

test('elf notes: a binary without markers has none; a file read from disk equals the bytes read in memory', () => {
  assert.deepEqual(
    readStapsdtNotesFromFile(process.execPath).filter((note) => note.provider === 'python'),
    [],
  );
  const path = writeScratch(
    scratch,
    Buffer.from(craftElf({ is64: false, little: false, notes: TWO_MARKERS })),
    'crafted.elf',
  );
  assert.deepEqual(
    short(readStapsdtNotesFromFile(path)),
    short(readStapsdtNotes(bytesReader(craftElf({ is64: false, little: false, notes: TWO_MARKERS })))),
  );
  assert.equal(readStapsdtNotesFromFile(path).length, 2);
});
