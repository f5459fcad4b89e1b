// AssemblyScript, compiled to WebAssembly by `npm run build:wasm` (src/export/event-log/csv-rows-wasm.ts
// loads it).
//
// Formats the CSV event log's rows (`ts,pid,tid,event,file,function,line,value,name,src_line`),
// byte for byte as csv.ts's JavaScript loop does. The rows are the whole of `convert --to csv`'s
// output; in JavaScript a row cost ~250 ns, most of it in digits and short copies, and the
// formatting thread was the slowest of convert's three (parse, format, the kernel's write).
//
// Memory: JS copies a batch's columns into the column arrays; the names' CSV cells (`cells`,
// string id s is cellBytes[cellOffsets[s], cellOffsets[s + 1])) and each frame's
// `file,function,line,` cells (frame f is frameBytes[frameStarts[f], frameEnds[f]), empty when
// JS did not keep it) are appended as they appear; format() writes into `out` and reports in
// `result`. A row this does not write as JavaScript would (a time or number that is not a whole
// number in range, a frame whose cells were not kept) stops it: JS writes that row.

import { DIGIT_PAIRS, ensureDigitPairs, writeU32 } from './digits';

/** What format() stops for (result[0]). */
const STOP_END: i32 = 0;
const STOP_FULL: i32 = 1;
/** The row at result[1] is left to JavaScript. */
const STOP_ROW_FOR_JS: i32 = 2;

const MAX_SAFE: f64 = 9007199254740991;
const BILLION: f64 = 1e9;
const NO_REF: i32 = -1;
const UNKNOWN_ID: f64 = -1;
const COMMA: u8 = 44;
/** Bytes after every byte array's contents: room for copyCell's last word. */
const PADDING: i32 = 8;
const NEWLINE: u8 = 10;

let kinds = new Uint8Array(0);
let ts = new Float64Array(0);
let pids = new Float64Array(0);
let tids = new Float64Array(0);
let frameIds = new Int32Array(0);
let values = new Float64Array(0);
let names = new Int32Array(0);
let srcLines = new Float64Array(0);

// Names and frames mirrored so far: a row with a later one is left to JavaScript (the mirror has
// a budget: see csv-rows-wasm.ts).
let cellCount: i32 = 0;
let frameCount: i32 = 0;
let cellBytes = new Uint8Array(0);
let cellOffsets = new Uint32Array(0);
let frameBytes = new Uint8Array(0);
let frameStarts = new Uint32Array(0);
let frameEnds = new Uint32Array(0);
// Per kind: its `name,` cell, and 1 when it has a frame, 2 when a value (3 both).
let kindBytes = new Uint8Array(0);
let kindOffsets = new Uint32Array(0);
let kindColumns = new Uint8Array(0);

let out = new Uint8Array(0);
// format()'s report: [stop reason, rows read up to (index), bytes written].
const result = new Float64Array(3);


/** Makes room for a batch of `count` rows; JS then copies each column to its *At() place. */
export function reserveRows(count: i32): void {
  if (count <= kinds.length) return;
  kinds = new Uint8Array(count);
  ts = new Float64Array(count);
  pids = new Float64Array(count);
  tids = new Float64Array(count);
  frameIds = new Int32Array(count);
  values = new Float64Array(count);
  names = new Int32Array(count);
  srcLines = new Float64Array(count);
}

export function kindsAt(): usize { return kinds.dataStart; }
export function tsAt(): usize { return ts.dataStart; }
export function pidsAt(): usize { return pids.dataStart; }
export function tidsAt(): usize { return tids.dataStart; }
export function frameIdsAt(): usize { return frameIds.dataStart; }
export function valuesAt(): usize { return values.dataStart; }
export function namesAt(): usize { return names.dataStart; }
export function srcLinesAt(): usize { return srcLines.dataStart; }

/** Keeps the first `used` bytes when growing (the cells written so far stay). */
function grownBytes(from: Uint8Array, needed: i32, used: i32): Uint8Array {
  if (needed + PADDING <= from.length) return from;
  let size = max(from.length * 2, 1024);
  while (size < needed + PADDING) size *= 2;
  const bigger = new Uint8Array(size);
  memory.copy(bigger.dataStart, from.dataStart, <usize>used);
  return bigger;
}

function grownWords(from: Uint32Array, needed: i32, used: i32): Uint32Array {
  if (needed <= from.length) return from;
  let size = max(from.length * 2, 256);
  while (size < needed) size *= 2;
  const bigger = new Uint32Array(size);
  memory.copy(bigger.dataStart, from.dataStart, <usize>used << 2);
  return bigger;
}

/**
 * Room for `bytes` bytes and `count` + 1 offsets of names' cells, keeping the first `usedBytes`
 * and `usedCount` + 1; JS then writes what is new at cellBytesAt() / cellOffsetsAt().
 */
export function reserveCells(bytes: i32, count: i32, usedBytes: i32, usedCount: i32): void {
  cellBytes = grownBytes(cellBytes, bytes, usedBytes);
  cellOffsets = grownWords(cellOffsets, count + 1, usedCount + 1);
  cellCount = count;
}

export function cellBytesAt(): usize { return cellBytes.dataStart; }
export function cellOffsetsAt(): usize { return cellOffsets.dataStart; }

/** As reserveCells, for the frames' cells: `count` frames' starts and ends. */
export function reserveFrames(bytes: i32, count: i32, usedBytes: i32, usedCount: i32): void {
  frameBytes = grownBytes(frameBytes, bytes, usedBytes);
  frameStarts = grownWords(frameStarts, count, usedCount);
  frameEnds = grownWords(frameEnds, count, usedCount);
  frameCount = count;
}

export function frameBytesAt(): usize { return frameBytes.dataStart; }
export function frameStartsAt(): usize { return frameStarts.dataStart; }
export function frameEndsAt(): usize { return frameEnds.dataStart; }

/** Room for the event kinds' cells (`bytes` bytes, `count` kinds): written once, by JS. */
export function reserveKinds(bytes: i32, count: i32): void {
  kindBytes = new Uint8Array(bytes + PADDING);
  kindOffsets = new Uint32Array(count + 1);
  kindColumns = new Uint8Array(count);
}

export function kindBytesAt(): usize { return kindBytes.dataStart; }
export function kindOffsetsAt(): usize { return kindOffsets.dataStart; }
export function kindColumnsAt(): usize { return kindColumns.dataStart; }

/** Makes room for `bytes` of output plus one more row of `rowRoom`; returns where format() writes. */
export function outAt(bytes: i32, rowRoom: i32): usize {
  if (bytes + rowRoom + PADDING > out.length) out = new Uint8Array(bytes + rowRoom + PADDING);
  return out.dataStart;
}

export function resultAt(): usize { return result.dataStart; }

/**
 * Writes rows [from, to) into out, from its start, at absolute times `seconds` * 10^9 + `nanos`
 * + ts, until `limit` bytes are passed (the last row may end past it, within the `rowRoom` outAt
 * kept), the rows end, or a row is one JavaScript must write.
 */
export function format(from: i32, to: i32, seconds: f64, nanos: f64, limit: i32): void {
  ensureDigitPairs();
  const start = out.dataStart;
  const last = start + <usize>limit;
  let p = start;
  let i = from;
  let stop = STOP_END;
  while (i < to) {
    if (p >= last) {
      stop = STOP_FULL;
      break;
    }
    const q = writeRow(p, i, seconds, nanos);
    if (q == 0) {
      stop = STOP_ROW_FOR_JS;
      break;
    }
    p = q;
    i++;
  }
  result[0] = <f64>stop;
  result[1] = <f64>i;
  result[2] = <f64>(p - start);
}

/** Row i at p; the position after it, or 0 (nothing kept) when JavaScript must write it. */
@inline
function writeRow(p: usize, i: i32, seconds: f64, nanos: f64): usize {
  const kind = <i32>unchecked(kinds[i]);
  const columns = unchecked(kindColumns[kind]);
  p = writeAbsoluteNs(p, seconds, nanos, unchecked(ts[i]));
  if (p == 0) return 0;
  store<u8>(p++, COMMA);
  const pid = unchecked(pids[i]);
  if (pid != UNKNOWN_ID) {
    if (!isWhole(pid)) return 0;
    p = writeWhole(p, pid);
  }
  store<u8>(p++, COMMA);
  const tid = unchecked(tids[i]);
  if (tid != UNKNOWN_ID) {
    if (!isWhole(tid)) return 0;
    p = writeWhole(p, tid);
  }
  store<u8>(p++, COMMA);
  p = copyCell(p, kindBytes, unchecked(kindOffsets[kind]), unchecked(kindOffsets[kind + 1]));
  const frame = unchecked(frameIds[i]);
  if ((columns & 1) != 0 && frame != NO_REF) {
    // Unsigned: an id below -1 (never made by a parser) is JavaScript's too, not a read out of bounds.
    if (<u32>frame >= <u32>frameCount) return 0;
    const cellStart = unchecked(frameStarts[frame]);
    const cellEnd = unchecked(frameEnds[frame]);
    if (cellStart == cellEnd) return 0;
    p = copyCell(p, frameBytes, cellStart, cellEnd);
  } else {
    store<u8>(p, COMMA);
    store<u8>(p + 1, COMMA);
    store<u8>(p + 2, COMMA);
    p += 3;
  }
  if ((columns & 2) != 0) {
    const value = unchecked(values[i]);
    if (!isWhole(value)) return 0;
    p = writeWhole(p, value);
  }
  store<u8>(p++, COMMA);
  const name = unchecked(names[i]);
  if (name != NO_REF) {
    if (<u32>name >= <u32>cellCount) return 0;
    p = copyCell(p, cellBytes, unchecked(cellOffsets[name]), unchecked(cellOffsets[name + 1]));
  }
  store<u8>(p++, COMMA);
  const srcLine = unchecked(srcLines[i]);
  if (!isWhole(srcLine)) return 0;
  p = writeWhole(p, srcLine);
  store<u8>(p++, NEWLINE);
  return p;
}

/** Written by digits alone, as String() writes it: a whole number from 0 (or -0) to 2^53 - 1. */
@inline
function isWhole(value: f64): bool {
  return value >= 0 && value <= MAX_SAFE && Math.floor(value) == value;
}

/**
 * Copies a cell eight bytes at a time: its last word may take up to seven bytes past it, from the
 * cells after it (or the padding every array here keeps) into the room after the row (the next
 * bytes written, or unused). memory.copy costs a call into the engine per cell, as much as the
 * rest of a row.
 */
@inline
function copyCell(p: usize, bytes: Uint8Array, from: u32, to: u32): usize {
  const source = bytes.dataStart + <usize>from;
  const length = <usize>(to - from);
  for (let k: usize = 0; k < length; k += 8) store<u64>(p + k, load<u64>(source + k));
  return p + length;
}

/**
 * The exact absolute time seconds * 10^9 + nanos + relativeNs, as ascii-numbers.ts's
 * writeAbsoluteNs writes it (the same double arithmetic, so the same digits); 0 where that one
 * gives up (JavaScript then writes the row with TimeBase.absolute).
 */
@inline
function writeAbsoluteNs(p: usize, seconds: f64, nanos: f64, relativeNs: f64): usize {
  const total = nanos + relativeNs;
  if (!(Math.abs(total) <= MAX_SAFE) || Math.floor(total) != total) return 0;
  let carry = Math.floor(total / BILLION);
  let ns = total - carry * BILLION;
  if (ns < 0) {
    carry--;
    ns += BILLION;
  } else if (ns >= BILLION) {
    carry++;
    ns -= BILLION;
  }
  const wholeSeconds = seconds + carry;
  if (wholeSeconds < 0 || wholeSeconds > MAX_SAFE) return 0;
  if (wholeSeconds == 0) return writeU32(p, <u32>ns);
  return writeFixed9(writeWhole(p, wholeSeconds), <u32>ns);
}

/** A whole number 0 <= value <= 2^53 - 1 in digits (-0 as "0"). */
@inline
function writeWhole(p: usize, value: f64): usize {
  const v = <u64>value;
  if (v < 1000000000) return writeU32(p, <u32>v);
  // Below 2^53 the billions are below 10^7: two 32-bit parts, where division is cheap.
  const high = <u32>(v / 1000000000);
  const low = <u32>(v - <u64>high * 1000000000);
  return writeFixed9(writeU32(p, high), low);
}


/** v (< 10^9) as exactly 9 digits, zero-padded. */
@inline
function writeFixed9(p: usize, v: u32): usize {
  let q = p + 9;
  for (let k = 0; k < 4; k++) {
    const rest = v / 100;
    q -= 2;
    store<u16>(q, load<u16>(DIGIT_PAIRS + (<usize>(v - rest * 100) << 1)));
    v = rest;
  }
  store<u8>(p, <u8>(0x30 + v));
  return p + 9;
}
