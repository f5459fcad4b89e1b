// AssemblyScript, compiled to WebAssembly by `npm run build:wasm` (src/export/event-text-wasm.ts
// loads it).
//
// Formats a speedscope evented profile's events, `{"type":"O","frame":F,"at":T}` with a comma
// before every one but a thread's first, byte for byte as speedscope.ts's JavaScript loop does.
// The events are most of a speedscope file (220 MB for the 447 MiB benchmark trace); written
// byte by byte in JavaScript they cost ~100 ns each, most of it in copying short prefixes and
// making digits, which cost several times less here.
//
// Memory: JS copies a piece of a thread's timeline into `events` (fn + 1 for an opening, -(fn + 1)
// for a closing) and `times` (ns on the reader's clock), the frame index of each function into
// `frames`; format() writes into `out` and reports in `result`.

import { DIGIT_PAIRS, ensureDigitPairs, writeU32 } from './digits';

/** What format() stops for (result[0]). */
const STOP_END: i32 = 0;
const STOP_FULL: i32 = 1;
/** An event whose time is not a whole number of at most 2^53 - 1: JS writes it (String()). */
const STOP_ODD_TIME: i32 = 2;

const MAX_SAFE: f64 = 9007199254740991;
/** Room an event needs at most: comma, prefix, a 10-digit frame, sign and 16 digits, brace. */
const EVENT_MAX_BYTES: i32 = 64;

let frames = new Int32Array(0);
let events = new Int32Array(0);
let times = new Float64Array(0);
let out = new Uint8Array(0);
// format()'s report: [stop reason, events read up to (index), bytes written].
const result = new Float64Array(3);

// `,{"type":"O","frame":` and the closing's, and `,"at":`: copied whole.
const OPEN_PREFIX = memory.data<u8>([0x2c, 0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0x4f, 0x22, 0x2c, 0x22, 0x66, 0x72, 0x61, 0x6d, 0x65, 0x22, 0x3a]);
const CLOSE_PREFIX = memory.data<u8>([0x2c, 0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0x43, 0x22, 0x2c, 0x22, 0x66, 0x72, 0x61, 0x6d, 0x65, 0x22, 0x3a]);
const PREFIX_BYTES: usize = 21;
const AT_KEY = memory.data<u8>([0x2c, 0x22, 0x61, 0x74, 0x22, 0x3a]);
const AT_KEY_BYTES: usize = 6;


/** Makes room for `count` functions' frame indices and returns where JS copies them. */
export function framesAt(count: i32): usize {
  if (count > frames.length) frames = new Int32Array(count);
  return frames.dataStart;
}

/** Makes room for `count` events; returns where JS copies their functions (timesAt: their times). */
export function eventsAt(count: i32): usize {
  if (count > events.length) {
    events = new Int32Array(count);
    times = new Float64Array(count);
  }
  return events.dataStart;
}

export function timesAt(): usize { return times.dataStart; }

/** Makes room for `bytes` of output (at least); returns where format() writes. */
export function outAt(bytes: i32): usize {
  if (bytes + EVENT_MAX_BYTES > out.length) out = new Uint8Array(bytes + EVENT_MAX_BYTES);
  return out.dataStart;
}

export function resultAt(): usize { return result.dataStart; }

/**
 * Formats events[from, to) at times - origin into out, from its start, until `limit` bytes are
 * passed (one event may end past it: outAt kept room for it) or an event's time is not a safe
 * whole number. `first`: the first event is its thread's first (no comma before it).
 */
export function format(from: i32, to: i32, origin: f64, first: bool, limit: i32): void {
  ensureDigitPairs();
  const start = out.dataStart;
  const end = start + <usize>limit;
  let p = start;
  let i = from;
  let stop = STOP_END;
  let skipComma = first;
  while (i < to) {
    if (p >= end) {
      stop = STOP_FULL;
      break;
    }
    const at = unchecked(times[i]) - origin;
    if (!(Math.abs(at) <= MAX_SAFE) || Math.floor(at) != at) {
      stop = STOP_ODD_TIME;
      break;
    }
    const e = unchecked(events[i]);
    const prefix = e > 0 ? OPEN_PREFIX : CLOSE_PREFIX;
    if (skipComma) {
      memory.copy(p, prefix + 1, PREFIX_BYTES - 1);
      p += PREFIX_BYTES - 1;
      skipComma = false;
    } else {
      memory.copy(p, prefix, PREFIX_BYTES);
      p += PREFIX_BYTES;
    }
    const fn = e > 0 ? e - 1 : -e - 1;
    p = writeU32(p, <u32>unchecked(frames[fn]));
    memory.copy(p, AT_KEY, AT_KEY_BYTES);
    p += AT_KEY_BYTES;
    p = writeWhole(p, at);
    store<u8>(p, 0x7d);
    p++;
    i++;
  }
  result[0] = <f64>stop;
  result[1] = <f64>i;
  result[2] = <f64>(p - start);
}

/** A safe whole number as JSON writes it (a sign for a negative, never for -0). */
@inline
function writeWhole(p: usize, value: f64): usize {
  let v: u64;
  if (value < 0) {
    store<u8>(p, 0x2d);
    p++;
    v = <u64>(-value);
  } else {
    v = <u64>value;
  }
  if (v < 100000000) return writeU32(p, <u32>v);
  // Below 2^53 the high part is below 10^8: two 32-bit halves, where division is cheap.
  const high = <u32>(v / 100000000);
  const low = <u32>(v - <u64>high * 100000000);
  p = writeU32(p, high);
  return writeFixed8(p, low);
}


/** v (< 10^8) as exactly 8 digits, zero-padded. */
@inline
function writeFixed8(p: usize, v: u32): usize {
  let q = p + 8;
  for (let k = 0; k < 4; k++) {
    const rest = v / 100;
    q -= 2;
    store<u16>(q, load<u16>(DIGIT_PAIRS + (<usize>(v - rest * 100) << 1)));
    v = rest;
  }
  return p + 8;
}
