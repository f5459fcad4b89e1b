// AssemblyScript, compiled to WebAssembly by `npm run build:wasm` (src/parse/fast-lines.ts loads it).
//
// The fast loop for the two formats of large recordings: pyflame's own (`ts \t pid \t tid \t
// function__entry|function__return \t file \t func \t line`, or function-entry|function-return as
// DTrace names probes) and the CPython docs' call_stack.d layout (`ts \t  function-entry: indent
// basename:func:line`). It reads the function events that make up nearly all of a trace and stops
// at any other line, which the TypeScript parser reads.
// Byte loops cost several times less here than in JavaScript; that is the whole reason for it.
//
// Memory: JS copies a run of whole lines into `input`; events are written as columns into the
// out* arrays; `result` reports what happened. Frames are keyed by the exact bytes of
// `file<sep>func<sep>line`; a key seen for the first time is handed to JS (newFrame), which
// decodes and interns it and returns the frame id.

@external("env", "newFrame")
declare function newFrame(keyStart: i32, funcSeparator: i32, lineSeparator: i32, keyEnd: i32, lineNo: f64): i32;

// SystemTap's layout (runStap): a new key `FUNC in FILE:LINE` also carries the event's thread and
// printed µs, since JS must refuse it (-1) before interning when its time would be refused.
@external("env", "newStapFrame")
declare function newStapFrame(keyStart: i32, funcSeparator: i32, lineSeparator: i32, keyEnd: i32, lineNo: f64, tid: f64, printedUs: f64): i32;
// The relative ns of a SystemTap event on its thread's clock, which JS keeps (the TypeScript parser
// moves it too); NaN when the time is refused, the clock then unmoved.
@external("env", "stapClock")
declare function stapClock(tid: f64, printedUs: f64): f64;

/** The formats this loop reads. */
const PYFLAME: i32 = 0;
const DTRACE: i32 = 1;

const KIND_ENTRY: u8 = 0;
const KIND_RETURN: u8 = 1;
/** EventKind.Unwritten (src/model/event-kind.ts): the count of a line's `u=N` field, before its event. */
const KIND_UNWRITTEN: u8 = 13;
const NO_FRAME: i32 = -1;
/** Up to 15 digits always fit a double exactly; a longer `u=` value goes to JS (range check). */
const MAX_COUNT_DIGITS: i32 = 15;
const UNKNOWN_ID: f64 = -1;
// Ranges JS checks (src/model/limits.ts): a pid or tid of more than 15 digits may pass 2^53 - 1,
// and an event more than 2^53 - 1 ns from the time base cannot be held exactly. Such lines go to JS.
const MAX_ID_DIGITS: i32 = 15;
const MAX_SPAN_NS: i64 = 9007199254740991;

// SWAR filters for "may hold the separator or a newline": bytes equal to the pattern under the mask
// (the bits the separator and the newline share). They may pass other bytes, never miss one.
const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const TAB_OR_NEWLINE_MASK: u64 = 0xfcfcfcfcfcfcfcfc; // 0x09, 0x0a agree outside bits 0-1
const TAB_OR_NEWLINE_PATTERN: u64 = 0x0808080808080808;
const COLON_OR_NEWLINE_MASK: u64 = 0xcfcfcfcfcfcfcfcf; // 0x3a, 0x0a agree outside bits 4-5
const COLON_OR_NEWLINE_PATTERN: u64 = 0x0a0a0a0a0a0a0a0a;

const TAB: u8 = 9;
const NEWLINE: u8 = 10;
const CR: u8 = 13;
const SPACE: u8 = 32;
const COLON: u8 = 58;
const LETTER_U: u8 = 117;
const EQUALS: u8 = 61;
const LEFT_PAREN: u8 = 40;
const RIGHT_PAREN: u8 = 41;
const MINUS: u8 = 45;
const LESS: u8 = 60;
const GREATER: u8 = 62;
const LETTER_I: u8 = 105;
const LETTER_N: u8 = 110;
/** Bytes 0x20-0x7f: printable ASCII (and DEL), where JavaScript's `\s` is the space alone. */
const FIRST_PLAIN: u8 = 0x20;
const LAST_PLAIN: u8 = 0x7f;
const COLONS: u64 = 0x3a3a3a3a3a3a3a3a;
const SPACES: u64 = 0x2020202020202020;

// Why run() returned.
export const STOP_END: i32 = 0; // every line read
export const STOP_FULL: i32 = 1; // the output columns are full
export const STOP_LINE: i32 = 2; // a line this loop does not read: JS reads it, then calls again

let input = new Uint8Array(1 << 22);
let capacity: i32 = 0;
let outKind = new Uint8Array(0);
let outTs = new Float64Array(0);
let outPid = new Float64Array(0);
let outTid = new Float64Array(0);
let outFrame = new Int32Array(0);
let outLine = new Float64Array(0);
let outValue = new Float64Array(0);

// run()'s report: [stop reason, position reached, events written, lines read].
const result = new Float64Array(4);

// The frame table: open addressing over entries (hash, key offset, key length, frame id).
let slots = new Int32Array(4096).fill(-1);
let hashes = new Uint32Array(2048);
let keyOffsets = new Int32Array(2048);
let keyLengths = new Int32Array(2048);
let frameIds = new Int32Array(2048);
let keyCount: i32 = 0;
let arena = new Uint8Array(1 << 16);
let arenaUsed: i32 = 0;

/** Makes room for `bytes` bytes of input and returns where JS copies them. */
export function inputAt(bytes: i32): usize {
  // Slack after the input: the loop may look a few bytes past the last newline before it stops.
  if (bytes + 64 > input.length) input = new Uint8Array(bytes + 64);
  return input.dataStart;
}

/** Sets the output columns' size (the most events one run writes). */
export function setCapacity(events: i32): void {
  capacity = events;
  outKind = new Uint8Array(events);
  outTs = new Float64Array(events);
  outPid = new Float64Array(events);
  outTid = new Float64Array(events);
  outFrame = new Int32Array(events);
  outLine = new Float64Array(events);
  outValue = new Float64Array(events);
}

export function kindAt(): usize { return outKind.dataStart; }
export function tsAt(): usize { return outTs.dataStart; }
export function pidAt(): usize { return outPid.dataStart; }
export function tidAt(): usize { return outTid.dataStart; }
export function frameAt(): usize { return outFrame.dataStart; }
export function lineAt(): usize { return outLine.dataStart; }
export function valueAt(): usize { return outValue.dataStart; }
export function resultAt(): usize { return result.dataStart; }

/**
 * Reads lines of input[pos, end) (end is just after a newline) until one it does not read, the end,
 * or `room` events. Timestamps are written relative to `base` (ns). Lines are numbered from
 * `lineNo`.
 */
export function run(format: i32, pos: i32, end: i32, room: i32, base: i64, lineNo: f64): void {
  const data = input.dataStart;
  let n: i32 = 0;
  let lines: i32 = 0;
  let stop = STOP_END;
  const limit = room < capacity ? room : capacity;
  while (pos < end) {
    if (n >= limit) {
      stop = STOP_FULL;
      break;
    }
    const lineStart = pos;
    // Timestamp: found byte by byte, valued eight digits at a time. Up to 19 digits fit an i64.
    let i = pos;
    let c = load<u8>(data + i);
    while (c >= 48 && c <= 57) c = load<u8>(data + ++i);
    const digits = i - lineStart;
    let ts: i64 = 0;
    let d = lineStart;
    for (; d + 8 <= i; d += 8) ts = ts * 100000000 + <i64>eightDigits(load<u64>(data + d));
    for (; d < i; d++) ts = ts * 10 + <i64>(load<u8>(data + d) - 48);
    // Up to 19 digits fit an i64 unless they pass 2^63 (then the sum wrapped negative): JS reads those.
    if (digits == 0 || digits > 19 || ts < 0) { stop = STOP_LINE; break; }
    // Both below 2^63: the difference cannot overflow.
    const relative = ts - base;
    if (relative > MAX_SPAN_NS || relative < -MAX_SPAN_NS) { stop = STOP_LINE; break; }
    let kind: u8 = 0;
    let pid: f64 = UNKNOWN_ID;
    let tid: f64 = UNKNOWN_ID;
    let keyStart: i32 = 0;
    let separator: u8 = TAB;
    if (format == PYFLAME) {
      if (c != TAB) { stop = STOP_LINE; break; }
      let value: f64 = 0;
      c = load<u8>(data + ++i);
      const pidStart = i;
      while (c >= 48 && c <= 57) { value = value * 10 + <f64>(c - 48); c = load<u8>(data + ++i); }
      if (i == pidStart || i - pidStart > MAX_ID_DIGITS || c != TAB) { stop = STOP_LINE; break; }
      pid = value;
      value = 0;
      c = load<u8>(data + ++i);
      const tidStart = i;
      while (c >= 48 && c <= 57) { value = value * 10 + <f64>(c - 48); c = load<u8>(data + ++i); }
      if (i == tidStart || i - tidStart > MAX_ID_DIGITS || c != TAB) { stop = STOP_LINE; break; }
      tid = value;
      const probe = data + i + 1;
      // "function__entry\t" / "function__return\t" (SystemTap, bpftrace) or "function-entry\t" /
      // "function-return\t" (DTrace's probename, probes/pyflame.d), 8 bytes at a time: every
      // spelling probe-names.ts gives these two kinds, so no trace of function events leaves the loop.
      if (load<u64>(probe) != 0x6e6f6974636e7566 /* "function" */) { stop = STOP_LINE; break; }
      const rest = load<u64>(probe + 8);
      if (rest == 0x097972746e655f5f /* "__entry\t" */) { kind = KIND_ENTRY; keyStart = i + 17; }
      else if (rest == 0x6e72757465725f5f /* "__return" */ && load<u8>(probe + 16) == TAB) { kind = KIND_RETURN; keyStart = i + 18; }
      else if ((rest & 0x00ffffffffffffff) == 0x00097972746e652d /* "-entry\t" */) { kind = KIND_ENTRY; keyStart = i + 16; }
      else if (rest == 0x096e72757465722d /* "-return\t" */) { kind = KIND_RETURN; keyStart = i + 17; }
      else { stop = STOP_LINE; break; }
    } else {
      // DTrace call_stack.d: "\t function-entry:" (tab, padding) or the docs' rendering " function-entry:".
      while (c == TAB || c == SPACE) c = load<u8>(data + ++i);
      if (i == lineStart + digits) { stop = STOP_LINE; break; }
      const probe = data + i;
      if (load<u64>(probe) != 0x6e6f6974636e7566 /* "function" */) { stop = STOP_LINE; break; }
      const rest = load<u64>(probe + 8);
      if ((rest & 0x00ffffffffffffff) == 0x003a7972746e652d /* "-entry:" */) { kind = KIND_ENTRY; i += 15; }
      else if (rest == 0x3a6e72757465722d /* "-return:" */) { kind = KIND_RETURN; i += 16; }
      else { stop = STOP_LINE; break; }
      while (load<u8>(data + i) == SPACE) i++;
      keyStart = i;
      separator = COLON;
    }
    // The key runs to the newline; its last two separators delimit function and line. Eight bytes
    // at a time: a word with no separator or newline in it is hashed whole, others byte by byte.
    const stopMask = separator == TAB ? TAB_OR_NEWLINE_MASK : COLON_OR_NEWLINE_MASK;
    const stopPattern = separator == TAB ? TAB_OR_NEWLINE_PATTERN : COLON_OR_NEWLINE_PATTERN;
    let k = keyStart;
    let last: i32 = -1;
    let previous: i32 = -1;
    let beforePrevious: i32 = -1;
    let hash: u64 = 0xcbf29ce484222325;
    // The hash of the bytes before the last separator: the key's hash when a `u=` field follows it.
    let hashAtLast: u64 = 0;
    let keyEnd: i32 = -1;
    while (k < end) {
      const word = load<u64>(data + k);
      const masked = (word & stopMask) ^ stopPattern;
      if (((masked - ONES) & ~masked & HIGHS) == 0) {
        hash = (hash ^ word) * 0x100000001b3;
        k += 8;
        continue;
      }
      let j = k;
      for (; j < k + 8; j++) {
        const b = load<u8>(data + j);
        if (b == NEWLINE) break;
        if (b == separator) { beforePrevious = previous; previous = last; last = j; hashAtLast = hash; }
        hash = (hash ^ <u64>b) * 0x100000001b3;
      }
      if (j < k + 8) { keyEnd = j; break; }
      k += 8;
    }
    if (keyEnd < 0 || keyEnd >= end || load<u8>(data + keyEnd - 1) == CR) { stop = STOP_LINE; break; }
    // The optional last field `\tu=N` (docs/formats.md): N probe firings not written, counted
    // before this event. Stripped from the key; a value that is not plain digits goes to JS.
    let frameEnd = keyEnd;
    let funcSeparator = previous;
    let lineSeparator = last;
    let unwritten: f64 = 0;
    if (format == PYFLAME && last >= 0 && load<u8>(data + last + 1) == LETTER_U && load<u8>(data + last + 2) == EQUALS) {
      let at = last + 3;
      for (; at < keyEnd; at++) {
        const digit = load<u8>(data + at);
        if (digit < 48 || digit > 57) break;
        unwritten = unwritten * 10 + <f64>(digit - 48);
      }
      if (at != keyEnd || at == last + 3 || at - (last + 3) > MAX_COUNT_DIGITS) { stop = STOP_LINE; break; }
      frameEnd = last;
      funcSeparator = beforePrevious;
      lineSeparator = previous;
      hash = hashAtLast;
    }
    if (funcSeparator <= keyStart) { stop = STOP_LINE; break; }
    const events: i32 = unwritten > 0 ? 2 : 1;
    if (n + events > limit) { stop = n == 0 ? STOP_LINE : STOP_FULL; break; }
    const frame = findFrame(data, keyStart, frameEnd, hash, funcSeparator, lineSeparator, lineNo + <f64>lines);
    if (frame < 0) { stop = STOP_LINE; break; }
    if (unwritten > 0) {
      unchecked(outKind[n] = KIND_UNWRITTEN);
      unchecked(outTs[n] = <f64>relative);
      unchecked(outPid[n] = pid);
      unchecked(outTid[n] = tid);
      unchecked(outFrame[n] = NO_FRAME);
      unchecked(outLine[n] = lineNo + <f64>lines);
      unchecked(outValue[n] = unwritten);
      n++;
    }
    unchecked(outKind[n] = kind);
    unchecked(outTs[n] = <f64>relative);
    unchecked(outPid[n] = pid);
    unchecked(outTid[n] = tid);
    unchecked(outFrame[n] = frame);
    unchecked(outLine[n] = lineNo + <f64>lines);
    unchecked(outValue[n] = 0);
    n++;
    lines++;
    pos = keyEnd + 1;
  }
  unchecked(result[0] = <f64>stop);
  unchecked(result[1] = <f64>pos);
  unchecked(result[2] = <f64>n);
  unchecked(result[3] = <f64>lines);
}

/**
 * run() for SystemTap's show-call-hierarchy layout (src/parse/formats/stap-call-hierarchy.ts):
 * `  11408 python(8274):  => __contains__ in Lib/_abcoll.py:362`. It reads only lines of plain
 * ASCII (0x20-0x7f) whose every number is exact in a double, matched exactly as the parser's regex
 * /^\s*(\d+) (.*?)\((\d+)\):( *)(=>|<=) (\S+) in (.*):(-?\d+)$/ matches them: the execname ends
 * at the first `(` where the rest fits. Any other line, and any it is in doubt about, goes to JS.
 * The printed µs become a time on the thread's clock in JS (stapClock), after every check.
 */
export function runStap(pos: i32, end: i32, room: i32, lineNo: f64): void {
  const data = input.dataStart;
  let n: i32 = 0;
  let lines: i32 = 0;
  let stop = STOP_END;
  const limit = room < capacity ? room : capacity;
  while (pos < end) {
    if (n >= limit) {
      stop = STOP_FULL;
      break;
    }
    // `^\s*(\d+) `: spaces (other whitespace goes to JS), the µs, one space.
    let i = pos;
    let c = load<u8>(data + i);
    while (c == SPACE) c = load<u8>(data + ++i);
    const printedStart = i;
    let printed: f64 = 0;
    while (c >= 48 && c <= 57) { printed = printed * 10 + <f64>(c - 48); c = load<u8>(data + ++i); }
    if (i == printedStart || i - printedStart > MAX_ID_DIGITS || c != SPACE) { stop = STOP_LINE; break; }
    // `(.*?)\((\d+)\):( *)(=>|<=) (\S+) in `: the first `(` from which all of that fits.
    let funcStart: i32 = -1;
    let funcEnd: i32 = -1;
    let tid: f64 = 0;
    let kind: u8 = KIND_ENTRY;
    let plain = true;
    i++;
    while (true) {
      c = load<u8>(data + i);
      if (c < FIRST_PLAIN || c > LAST_PLAIN) { plain = false; break; }
      if (c == LEFT_PAREN) {
        let j = i + 1;
        let value: f64 = 0;
        let b = load<u8>(data + j);
        while (b >= 48 && b <= 57) { value = value * 10 + <f64>(b - 48); b = load<u8>(data + ++j); }
        // A thread id too long to be exact: JS reads the line (and refuses it, if it fits the regex).
        if (j - (i + 1) > MAX_ID_DIGITS) { plain = false; break; }
        if (j > i + 1 && b == RIGHT_PAREN && load<u8>(data + j + 1) == COLON) {
          j += 2;
          while (load<u8>(data + j) == SPACE) j++;
          const first = load<u8>(data + j);
          const second = load<u8>(data + j + 1);
          const arrow = first == EQUALS && second == GREATER ? 1 : first == LESS && second == EQUALS ? 2 : 0;
          if (arrow != 0 && load<u8>(data + j + 2) == SPACE) {
            // `(\S+) in `: the longest run of non-space bytes, then " in " (else no match here).
            let f = j + 3;
            let g = load<u8>(data + f);
            while (g > SPACE && g <= LAST_PLAIN) g = load<u8>(data + ++f);
            if (g != SPACE && g != NEWLINE && (g < FIRST_PLAIN || g > LAST_PLAIN)) { plain = false; break; }
            if (f > j + 3 && g == SPACE && load<u8>(data + f + 1) == LETTER_I && load<u8>(data + f + 2) == LETTER_N && load<u8>(data + f + 3) == SPACE) {
              funcStart = j + 3;
              funcEnd = f;
              tid = value;
              kind = arrow == 1 ? KIND_ENTRY : KIND_RETURN;
              break;
            }
          }
        }
      }
      i++;
    }
    if (!plain || funcStart < 0) { stop = STOP_LINE; break; }
    // The key `FUNC in FILE:LINE` runs to the newline; the last colon ends the file. Eight bytes at
    // a time: a word of plain bytes without a colon is hashed whole, others byte by byte.
    const keyStart = funcStart;
    let k = keyStart;
    let last: i32 = -1;
    let hash: u64 = 0xcbf29ce484222325;
    let keyEnd: i32 = -1;
    while (k < end) {
      const word = load<u64>(data + k);
      const colons = word ^ COLONS;
      const special = ((word - SPACES) | word | ((colons - ONES) & ~colons)) & HIGHS;
      if (special == 0) {
        hash = (hash ^ word) * 0x100000001b3;
        k += 8;
        continue;
      }
      let j = k;
      for (; j < k + 8; j++) {
        const b = load<u8>(data + j);
        if (b == NEWLINE) break;
        if (b < FIRST_PLAIN || b > LAST_PLAIN) plain = false;
        else if (b == COLON) last = j;
        hash = (hash ^ <u64>b) * 0x100000001b3;
      }
      if (j < k + 8) { keyEnd = j; break; }
      k += 8;
    }
    // `(.*):(-?\d+)$`: the file may be empty; the last colon must be past " in ".
    if (!plain || keyEnd < 0 || keyEnd >= end || last < funcEnd + 4) { stop = STOP_LINE; break; }
    let d = last + 1;
    if (load<u8>(data + d) == MINUS) d++;
    const lineDigits = d;
    while (d < keyEnd && load<u8>(data + d) >= 48 && load<u8>(data + d) <= 57) d++;
    if (d == lineDigits || d != keyEnd) { stop = STOP_LINE; break; }
    const srcLine = lineNo + <f64>lines;
    const tableKey = tableHash(hash, keyStart, keyEnd);
    let frame = knownFrame(data, keyStart, keyEnd, tableKey);
    if (frame < 0) {
      // JS checks the line number and the time before it interns anything: a refused line leaves
      // no trace of the loop, and JS reads it.
      frame = newStapFrame(keyStart, funcEnd, last, keyEnd, srcLine, tid, printed);
      if (frame < 0) { stop = STOP_LINE; break; }
      addKey(data, keyStart, keyEnd - keyStart, tableKey, frame);
    }
    const ts = stapClock(tid, printed);
    if (ts != ts) { stop = STOP_LINE; break; }
    unchecked(outKind[n] = kind);
    unchecked(outTs[n] = ts);
    unchecked(outPid[n] = UNKNOWN_ID);
    unchecked(outTid[n] = tid);
    unchecked(outFrame[n] = frame);
    unchecked(outLine[n] = srcLine);
    unchecked(outValue[n] = 0);
    n++;
    lines++;
    pos = keyEnd + 1;
  }
  unchecked(result[0] = <f64>stop);
  unchecked(result[1] = <f64>pos);
  unchecked(result[2] = <f64>n);
  unchecked(result[3] = <f64>lines);
}

/**
 * The value of eight ASCII digits (the first in the lowest byte): pairs, then quads, then the
 * whole, each step one multiply (the well-known SWAR digit parse).
 */
// @ts-ignore: decorator
@inline
function eightDigits(word: u64): u64 {
  let v = word - 0x3030303030303030;
  v = v * 10 + (v >> 8);
  return (((v & 0x000000ff000000ff) * 0x000f424000000064) + (((v >> 16) & 0x000000ff000000ff) * 0x0000271000000001)) >> 32;
}

/** The table's hash of key input[start, end) whose running hash is hash64. */
// @ts-ignore: decorator
@inline
function tableHash(hash64: u64, start: i32, end: i32): u32 {
  return <u32>(hash64 ^ (hash64 >> 32) ^ <u64>(end - start));
}

/** The frame id of key input[start, end) if the table holds it, else -1. */
function knownFrame(data: usize, start: i32, end: i32, hash: u32): i32 {
  const length = end - start;
  const mask = slots.length - 1;
  let slot = <i32>(hash & <u32>mask);
  while (true) {
    const entry = unchecked(slots[slot]);
    if (entry < 0) return -1;
    if (unchecked(hashes[entry]) == hash && unchecked(keyLengths[entry]) == length && sameBytes(arena.dataStart + <usize>unchecked(keyOffsets[entry]), data + <usize>start, length)) {
      return unchecked(frameIds[entry]);
    }
    slot = (slot + 1) & mask;
  }
}

/** The frame id of key input[start, end), asking JS for new keys; -1 if JS rejects the key. */
function findFrame(data: usize, start: i32, end: i32, hash64: u64, funcSeparator: i32, lineSeparator: i32, lineNo: f64): i32 {
  const hash = tableHash(hash64, start, end);
  const known = knownFrame(data, start, end, hash);
  if (known >= 0) return known;
  const id = newFrame(start, funcSeparator, lineSeparator, end, lineNo);
  if (id < 0) return id;
  addKey(data, start, end - start, hash, id);
  return id;
}

/** Are the `length` bytes at a and b the same? Eight at a time. */
function sameBytes(a: usize, b: usize, length: i32): bool {
  let i = 0;
  for (; i + 8 <= length; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  for (; i < length; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

function addKey(data: usize, start: i32, length: i32, hash: u32, id: i32): void {
  if (keyCount == hashes.length) {
    hashes = grownU32(hashes);
    keyOffsets = grownI32(keyOffsets);
    keyLengths = grownI32(keyLengths);
    frameIds = grownI32(frameIds);
  }
  while (arenaUsed + length > arena.length) {
    const bigger = new Uint8Array(arena.length * 2);
    memory.copy(bigger.dataStart, arena.dataStart, <usize>arenaUsed);
    arena = bigger;
  }
  memory.copy(arena.dataStart + <usize>arenaUsed, data + <usize>start, <usize>length);
  const entry = keyCount++;
  unchecked(hashes[entry] = hash);
  unchecked(keyOffsets[entry] = arenaUsed);
  unchecked(keyLengths[entry] = length);
  unchecked(frameIds[entry] = id);
  arenaUsed += length;
  if (keyCount * 2 > slots.length) {
    slots = new Int32Array(slots.length * 2).fill(-1);
    for (let e = 0; e < keyCount; e++) place(e);
  } else {
    place(entry);
  }
}

function place(entry: i32): void {
  const mask = slots.length - 1;
  let slot = <i32>(unchecked(hashes[entry]) & <u32>mask);
  while (unchecked(slots[slot]) >= 0) slot = (slot + 1) & mask;
  unchecked(slots[slot] = entry);
}

function grownU32(array: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(array.length * 2);
  memory.copy(bigger.dataStart, array.dataStart, <usize>array.byteLength);
  return bigger;
}

function grownI32(array: Int32Array): Int32Array {
  const bigger = new Int32Array(array.length * 2);
  memory.copy(bigger.dataStart, array.dataStart, <usize>array.byteLength);
  return bigger;
}
