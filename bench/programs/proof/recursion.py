"""Proof program (c): call-heavy recursion over tiny functions.

    python recursion.py [SCALE]

fib (naive Fibonacci) and hanoi (towers of Hanoi, counting moves) each recurse into themselves
only, so self = total; each call takes well under a microsecond, so only the top-level call is
timed and the number of calls is computed: fib(n) makes 2*F(n+1)-1 calls, hanoi(n) 2**(n+1)-1.
fib(23) and hanoi(14) 12 times each at scale 1 (1.5 million calls). See proof_common.py for the two modes.
"""

import time

_T0 = time.perf_counter_ns()

import sys

from proof_common import meter, now, sizes

M = meter(_T0)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def hanoi(n, a, b, c):
    if n == 0:
        return 0
    return hanoi(n - 1, a, c, b) + 1 + hanoi(n - 1, c, b, a)


def fib_calls(n):
    a, b = 0, 1  # F(0), F(1)
    for _ in range(n + 1):
        a, b = b, a + b
    return 2 * a - 1  # a = F(n+1)


def main(scale):
    reps, size = sizes(scale, 12, 1000)
    nf, nh = 23, 14
    if size < 1000:
        # Below one repetition, recurse less deep: one level less halves hanoi's calls and divides
        # fib's by phi (1.44 levels of fib halve them).
        k = 0
        while (2 ** k) * size < 1000:
            k += 1
        nf, nh = max(2, nf - int(round(k * 1.44))), max(1, nh - k)
    for _ in range(reps):
        if M:
            M.call_counted(fib, fib_calls(nf), nf)
            M.call_counted(hanoi, 2 ** (nh + 1) - 1, nh, 1, 2, 3)
        else:
            fib(nf)
            hanoi(nh, 1, 2, 3)


if __name__ == "__main__":
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    if M:
        M.leaf(fib, hanoi)
        M.derived(main, fib, hanoi)
        M.call(main, scale)
        M.finish(now())
    else:
        main(scale)
