"""Proof program (a): functions whose work is one C-level call of a measurable duration.

    python c_calls.py [SCALE]

hash_blob: hashlib.sha256 over 4.3 MB; compress_blob: zlib.compress of 272 KB (level 6);
sort_list: sorted() of 60,000 floats (8 times each at scale 1). None has a Python callee, so self = total. make_data builds
the inputs once (Python loops and C calls). See proof_common.py for the two modes.
"""

import time

_T0 = time.perf_counter_ns()

import hashlib
import sys
import zlib

from proof_common import meter, now, sizes

M = meter(_T0)


def make_data(blocks, floats):
    # Deterministic, half-compressible bytes: digests (incompressible) interleaved with a repeat.
    parts = []
    for i in range(blocks):
        parts.append(hashlib.sha256(i.to_bytes(4, "little")).digest())
        parts.append(b"pyflame-proof-pad-" * 2)
    blob = b"".join(parts)
    numbers = [((i * 2654435761) % 1000003) / 7.0 for i in range(floats)]
    return blob, numbers


def hash_blob(big):
    return hashlib.sha256(big).digest()


def compress_blob(blob):
    return len(zlib.compress(blob, 6))


def sort_list(numbers):
    return sorted(numbers)[0]


def main(scale):
    reps, frac = sizes(scale, 8, 1000)
    blocks, floats = 4000 * frac // 1000 + 1, 60_000 * frac // 1000 + 1
    blob, numbers = M.call(make_data, blocks, floats) if M else make_data(blocks, floats)
    big = blob * 16
    for _ in range(reps):
        if M:
            M.call(hash_blob, big)
            M.call(compress_blob, blob)
            M.call(sort_list, numbers)
        else:
            hash_blob(big)
            compress_blob(blob)
            sort_list(numbers)


if __name__ == "__main__":
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    if M:
        M.leaf(hash_blob, compress_blob, sort_list)
        M.derived(main, make_data, hash_blob, compress_blob, sort_list)
        M.call(main, scale)
        M.finish(now())
    else:
        main(scale)
