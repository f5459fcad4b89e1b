"""Proof program (f): threads.

    python threads.py [SCALE]

run_threads starts 4 threads and joins them; each runs worker, which calls spin (a pure-Python
loop: holds the GIL) and digest (hashlib.sha256 over 1 MB: releases the GIL) 5 times at scale 1.
Times are wall-clock per call, as a tracer sees them (a thread waiting for the GIL inside spin
counts that wait), summed over the threads. spin and digest are leaves (self = total); worker's
self is its total less theirs. See proof_common.py for the two modes.
"""

import time

_T0 = time.perf_counter_ns()

import hashlib
import sys
import threading

from proof_common import meter, now, sizes

M = meter(_T0)
THREADS = 4


def spin(n):
    total = 0
    i = 0
    while i < n:
        total += i & 7
        i += 1
    return total


def digest(blob):
    return hashlib.sha256(blob).digest()


def worker(reps, n, blob):
    for _ in range(reps):
        if M:
            M.call(spin, n)
            M.call(digest, blob)
        else:
            spin(n)
            digest(blob)


def run_threads(reps, n, blob):
    if M:  # the measured run times each thread's worker as a whole too
        threads = [threading.Thread(target=M.call, args=(worker, reps, n, blob)) for _ in range(THREADS)]
    else:
        threads = [threading.Thread(target=worker, args=(reps, n, blob)) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    reps, size = sizes(scale, 5, 1000)
    n = 40_000 * size // 1000 + 1
    blob = b"pyflame-proof" * (80_000 * size // 1000 + 1)
    if M:
        M.leaf(spin, digest)
        M.derived(worker, spin, digest)
        M.call(run_threads, reps, n, blob)
        M.finish(now())
    else:
        run_threads(reps, n, blob)
