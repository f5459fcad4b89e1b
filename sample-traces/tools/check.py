#!/usr/bin/env python3
"""Check pyflame-format traces: event counts, and per-thread entry/return nesting.

Usage: python3 check.py TRACE...
For every thread it keeps a stack of entered (file, function) frames; a return
must match the top of the stack. A return on an empty stack is counted as
"unmatched return" (normal for a trace attached with -p, or after lost events).
Lines that are not events ("Attaching N probes...", "Lost N events", '#') are counted.
"""
import collections
import sys


def check(path):
    counts = collections.Counter()
    other = collections.Counter()
    stacks = collections.defaultdict(list)
    mismatched = unmatched = backwards = 0
    last_ts = {}
    with open(path, 'rb') as fh:
        for raw in fh:
            line = raw.rstrip(b'\n').decode('utf-8', 'surrogateescape')
            fields = line.split('\t')
            if line.startswith('#') or len(fields) < 4 or not fields[0].isdigit():
                other[line.split(' ')[0] if not line.startswith('#') else '#'] += 1
                continue
            ts, pid, tid, probe = int(fields[0]), fields[1], fields[2], fields[3].replace('-', '__')
            counts[probe] += 1
            key = (pid, tid)
            if key in last_ts and ts < last_ts[key]:
                backwards += 1
            last_ts[key] = ts
            if probe in ('function__entry', 'function__return'):
                # file may contain a tab: function and line are the last two fields
                frame = ('\t'.join(fields[4:-2]), fields[-2])
                if probe == 'function__entry':
                    stacks[key].append(frame)
                elif not stacks[key]:
                    unmatched += 1
                elif stacks[key][-1] != frame:
                    mismatched += 1
                    stacks[key].pop()
                else:
                    stacks[key].pop()
    open_frames = sum(len(s) for s in stacks.values())
    print(f'{path}:')
    print('  events: ' + ', '.join(f'{k}={v}' for k, v in sorted(counts.items())))
    if other:
        print('  other lines: ' + ', '.join(f'{k!r}={v}' for k, v in sorted(other.items())))
    print(f'  threads={len(stacks) or len(last_ts)} unmatched_returns={unmatched} '
          f'mismatched_returns={mismatched} still_open={open_frames} '
          f'per_thread_backwards_ts={backwards}')


if __name__ == '__main__':
    for p in sys.argv[1:]:
        check(p)
