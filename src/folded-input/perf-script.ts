/**
 * Raw `perf script` output given where folded stacks are expected: a sample's header line
 * (`comm  1234 [000] 123.456: 250000 cycles:`, the CPU and the pid/tid form optional) followed by
 * indented frames (`\tffffffff8102a3b4 func+0x12 (/lib/x.so)`). A few lines of it can end in a
 * number and read as stacks, so the first lines are looked at rather than only the damage.
 */
const PERF_HEADER = /^\S.*?\s\d+(?:\/\d+)?\s+(?:\[\d+\]\s+)?\d+\.\d+:\s/;
const PERF_FRAME = /^[ \t]+[0-9a-f]{4,}\s+\S/;

/** Whether these first non-blank lines of a file are `perf script` output. */
export function looksLikePerfScript(lines: readonly string[]): boolean {
  let headers = 0;
  let frames = 0;
  for (const line of lines) {
    if (PERF_HEADER.test(line)) headers++;
    else if (PERF_FRAME.test(line)) frames++;
  }
  return headers > 0 && frames > 0 && headers + frames >= lines.length / 2;
}

export const PERF_SCRIPT_HINT =
  'this is raw `perf script` output, not folded stacks: collapse it first, e.g. perf script | stackcollapse-perf.pl | pyflame flamegraph (or inferno-collapse-perf instead of stackcollapse-perf.pl)';
