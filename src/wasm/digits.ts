// AssemblyScript: the digit writing the WebAssembly formatters share (event-text.ts, csv-rows.ts).
// Each module compiles its own copy; the functions are inlined where they are called.

/** "00" to "99" as byte pairs, one u16 each (low byte first). */
export const DIGIT_PAIRS = memory.data(200, 2);
let pairsMade = false;

/** Fills DIGIT_PAIRS (once): every formatter calls it before writing digits. */
export function ensureDigitPairs(): void {
  if (pairsMade) return;
  for (let i: i32 = 0; i < 100; i++) {
    store<u16>(DIGIT_PAIRS + (<usize>i << 1), <u16>((0x30 + i / 10) | ((0x30 + i % 10) << 8)));
  }
  pairsMade = true;
}

/** v's digits (no padding); the position after them. */
@inline
export function writeU32(p: usize, v: u32): usize {
  const count = digitCount(v);
  const end = p + <usize>count;
  let q = end;
  while (v >= 100) {
    const rest = v / 100;
    q -= 2;
    store<u16>(q, load<u16>(DIGIT_PAIRS + (<usize>(v - rest * 100) << 1)));
    v = rest;
  }
  if (v >= 10) {
    store<u16>(q - 2, load<u16>(DIGIT_PAIRS + (<usize>v << 1)));
  } else {
    store<u8>(q - 1, <u8>(0x30 + v));
  }
  return end;
}

@inline
function digitCount(n: u32): i32 {
  if (n < 100000) return n < 100 ? (n < 10 ? 1 : 2) : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  if (n < 10000000) return n < 1000000 ? 6 : 7;
  if (n < 100000000) return 8;
  return n < 1000000000 ? 9 : 10;
}
