import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads the SystemTap SDT notes (`.note.stapsdt`) of an ELF file: the static markers a CPython
 * built `--with-dtrace` carries. Layouts from the System V ABI (ELF header, section headers,
 * notes) and SystemTap's "UserSpaceProbeImplementation" wiki page (the stapsdt note).
 */

/** One static marker, as its note describes it. */
export interface StapsdtNote {
  readonly provider: string;
  readonly name: string;
  /** Argument locations for the tracer, e.g. `8@%rbp 8@%r12 -4@%eax`. */
  readonly args: string;
  /** Address of the probe site (the nop to patch). */
  readonly pc: bigint;
  /** Link-time address of `.stapsdt.base` (for prelink adjustment). */
  readonly base: bigint;
  /** Address of the counter the program tests before firing; 0 when the marker has none. */
  readonly semaphore: bigint;
}

/** The file is not an ELF file, or is cut short or damaged. */
export class ElfError extends Error {
  override name = 'ElfError';
}

/** Reads `length` bytes at `offset`; may return fewer at the end of the file. */
export type ByteReader = (offset: number, length: number) => Uint8Array;

const SHT_NOTE = 7;
const NT_STAPSDT = 3;
/** More section headers than any real file has: a damaged count, not a reason to read gigabytes. */
const MAX_SECTIONS = 65536;
/** A `.note.stapsdt` larger than this is damage (CPython's is about 600 bytes). */
const MAX_NOTE_SECTION = 16 * 1024 * 1024;

interface ElfLayout {
  readonly is64: boolean;
  readonly little: boolean;
}

/** A bounds-checked view of bytes read from the file, numbers in the file's byte order. */
class Fields {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    private readonly layout: ElfLayout,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(at: number, size: number): void {
    if (at < 0 || at + size > this.bytes.length)
      throw new ElfError(`${this.what} is cut short (needs byte ${at + size}, has ${this.bytes.length})`);
  }
  u16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, this.layout.little);
  }
  u32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at, this.layout.little);
  }
  u64(at: number): bigint {
    this.check(at, 8);
    return this.view.getBigUint64(at, this.layout.little);
  }
  /** An address or offset: 8 bytes in a 64-bit file, 4 in a 32-bit one. */
  word(at: number): bigint {
    return this.layout.is64 ? this.u64(at) : BigInt(this.u32(at));
  }
}

/** A file offset or size as a safe number, or an error naming what was out of range. */
function toOffset(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${what} is out of range (${value})`);
  return Number(value);
}

function readExactly(read: ByteReader, offset: number, length: number, what: string): Uint8Array {
  const bytes = read(offset, length);
  if (bytes.length < length)
    throw new ElfError(`${what} is cut short: ${length} bytes at offset ${offset}, the file has ${bytes.length} there`);
  return bytes;
}

interface Section {
  readonly nameOffset: number;
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
}

/**
 * The stapsdt notes of the ELF file `read` gives access to: [] when it has no `.note.stapsdt`
 * section. Throws ElfError when it is not ELF or is damaged.
 */
export function readStapsdtNotes(read: ByteReader): StapsdtNote[] {
  const ident = read(0, 16);
  if (ident.length < 16 || ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46)
    throw new ElfError('not an ELF file (no \\x7fELF magic)');
  if (ident[4] !== 1 && ident[4] !== 2) throw new ElfError(`unknown ELF class ${ident[4]} (1 = 32-bit, 2 = 64-bit)`);
  if (ident[5] !== 1 && ident[5] !== 2)
    throw new ElfError(`unknown ELF byte order ${ident[5]} (1 = little-endian, 2 = big-endian)`);
  const layout: ElfLayout = { is64: ident[4] === 2, little: ident[5] === 1 };
  const header = new Fields(readExactly(read, 0, layout.is64 ? 64 : 52, 'the ELF header'), layout, 'the ELF header');
  const sectionTable = toOffset(header.word(layout.is64 ? 0x28 : 0x20), 'the section header offset');
  const entrySize = header.u16(layout.is64 ? 0x3a : 0x2e);
  let count = header.u16(layout.is64 ? 0x3c : 0x30);
  let namesIndex = header.u16(layout.is64 ? 0x3e : 0x32);
  if (sectionTable === 0) return [];
  const minEntry = layout.is64 ? 64 : 40;
  if (entrySize < minEntry)
    throw new ElfError(`section header entries of ${entrySize} bytes (at least ${minEntry} expected)`);
  const sectionAt = (index: number): Section => {
    const entry = new Fields(
      readExactly(read, sectionTable + index * entrySize, entrySize, `section header ${index}`),
      layout,
      `section header ${index}`,
    );
    return layout.is64
      ? {
          nameOffset: entry.u32(0),
          type: entry.u32(4),
          offset: toOffset(entry.u64(0x18), 'a section offset'),
          size: toOffset(entry.u64(0x20), 'a section size'),
          link: entry.u32(0x28),
        }
      : {
          nameOffset: entry.u32(0),
          type: entry.u32(4),
          offset: entry.u32(0x10),
          size: entry.u32(0x14),
          link: entry.u32(0x18),
        };
  };
  // Files with 0xff00 sections or more keep the real count and names index in section 0.
  if (count === 0 || namesIndex === 0xffff) {
    const first = sectionAt(0);
    if (count === 0) count = first.size;
    if (namesIndex === 0xffff) namesIndex = first.link;
  }
  if (count > MAX_SECTIONS) throw new ElfError(`${count} section headers: the file is damaged`);
  if (namesIndex >= count)
    throw new ElfError(`the section names are in section ${namesIndex}, but there are ${count} sections`);
  const sections = Array.from({ length: count }, (_, index) => sectionAt(index));
  const names = sections[namesIndex];
  const nameBytes = readExactly(read, names.offset, Math.min(names.size, MAX_NOTE_SECTION), 'the section name table');
  const notes = sections.find(
    (section) => section.type === SHT_NOTE && cString(nameBytes, section.nameOffset) === '.note.stapsdt',
  );
  if (notes === undefined) return [];
  if (notes.size > MAX_NOTE_SECTION)
    throw new ElfError(`.note.stapsdt claims ${notes.size} bytes: the file is damaged`);
  return decodeNotes(
    new Fields(readExactly(read, notes.offset, notes.size, '.note.stapsdt'), layout, '.note.stapsdt'),
    layout,
  );
}

/** Walks the notes of a note section, keeping the stapsdt ones. */
function decodeNotes(section: Fields, layout: ElfLayout): StapsdtNote[] {
  const found: StapsdtNote[] = [];
  const align4 = (n: number) => (n + 3) & ~3;
  let at = 0;
  while (at + 12 <= section.bytes.length) {
    const nameSize = section.u32(at);
    const descSize = section.u32(at + 4);
    const type = section.u32(at + 8);
    const nameAt = at + 12;
    const descAt = nameAt + align4(nameSize);
    const next = descAt + align4(descSize);
    if (nameSize > section.bytes.length || descSize > section.bytes.length || next > align4(section.bytes.length))
      throw new ElfError(`.note.stapsdt: the note at byte ${at} runs past the section`);
    const owner = cString(section.bytes.subarray(nameAt, nameAt + nameSize), 0);
    if (owner === 'stapsdt' && type === NT_STAPSDT)
      found.push(
        decodeStapsdt(
          new Fields(
            section.bytes.subarray(descAt, descAt + descSize),
            layout,
            `.note.stapsdt: the note at byte ${at}`,
          ),
          layout,
        ),
      );
    at = next;
  }
  return found;
}

/** A stapsdt note's description: three addresses, then provider\0name\0args\0. */
function decodeStapsdt(desc: Fields, layout: ElfLayout): StapsdtNote {
  const word = layout.is64 ? 8 : 4;
  const pc = desc.word(0);
  const base = desc.word(word);
  const semaphore = desc.word(2 * word);
  const strings: string[] = [];
  let at = 3 * word;
  for (let index = 0; index < 3; index++) {
    const end = desc.bytes.indexOf(0, at);
    if (end < 0) {
      if (index === 2 && at <= desc.bytes.length) {
        strings.push(latin(desc.bytes.subarray(at))); // some writers leave off the last NUL
        break;
      }
      throw new ElfError(`.note.stapsdt: a note's ${['provider', 'name', 'arguments'][index]} is not NUL-terminated`);
    }
    strings.push(latin(desc.bytes.subarray(at, end)));
    at = end + 1;
  }
  return { provider: strings[0], name: strings[1], args: strings[2], pc, base, semaphore };
}

function cString(bytes: Uint8Array, at: number): string {
  if (at >= bytes.length) return '';
  const end = bytes.indexOf(0, at);
  return latin(bytes.subarray(at, end < 0 ? bytes.length : end));
}

/** Marker names are ASCII; anything else is kept byte for byte (never a decoding error). */
function latin(bytes: Uint8Array): string {
  return LATIN1.decode(bytes);
}

const LATIN1 = new TextDecoder('latin1');

/** A ByteReader over bytes in memory. */
export function bytesReader(bytes: Uint8Array): ByteReader {
  return (offset, length) => bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
}

/**
 * The stapsdt notes of the file at `path`, reading only the headers and the note section (an
 * interpreter is megabytes; a wrong guess such as node's binary is a hundred).
 */
export function readStapsdtNotesFromFile(path: string): StapsdtNote[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    return readStapsdtNotes((offset, length) => {
      const wanted = Math.max(0, Math.min(length, size - offset));
      const buffer = Buffer.alloc(wanted);
      let got = 0;
      while (got < wanted) {
        const n = readSync(fd, buffer, got, wanted - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      return buffer.subarray(0, got);
    });
  } finally {
    closeSync(fd);
  }
}
