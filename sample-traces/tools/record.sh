#!/bin/sh
# Re-record the real sample traces in sample-traces/ (Linux, root, bpftrace 0.17,
# a CPython built --with-dtrace: Debian 12's /usr/bin/python3.11).
# Usage: sh sample-traces/tools/record.sh [PYTHON]
# Afterwards run: python3 sample-traces/tools/convert.py ... (see sample-traces/README.md)
set -eu
PY=${1:-/usr/bin/python3.11}
HERE=$(cd "$(dirname "$0")/.." && pwd)          # sample-traces/
BT="$HERE/../probes/pyflame.bt"
export BPFTRACE_STRLEN=152                      # the most probes/pyflame.bt fits in bpftrace 0.17
export BPFTRACE_PERF_RB_PAGES=256               # 1 MiB perf buffer per CPU (default 64 pages
                                                # lost events once in threads.py)
cd "$HERE/programs"

# -S: skip `site`, so the traces do not depend on this machine's site-packages (.pth files,
# sitecustomize). The traced program's stdout goes to /dev/null, the trace to -o FILE.
rec() { out=$1; shift; bpftrace -q -o "$HERE/$out" "$BT" "$PY" "$@" > /dev/null; }

rec recursion.pyflame.txt  -c "$PY -S recursion.py"
rec threads.pyflame.txt    -c "$PY -S threads.py"
rec imports-gc.pyflame.txt -c "$PY -S imports_gc.py"
rec call-stack.pyflame.txt -c "$PY -S call_stack.py"

# line events printed (second positional parameter = 1), attached with -p to a running
# process that sleeps 3 s first, so the trace holds only the end of the run
"$PY" -S lines.py 3 > /dev/null &
LPID=$!
sleep 0.5
rec lines.pyflame.txt 1 -p "$LPID"
wait "$LPID"

# a steady 3.5 s run for per-second views, also attached with -p
"$PY" -S ticker.py 2 > /dev/null &
TPID=$!
sleep 0.5
rec ticker.pyflame.txt -p "$TPID"
wait "$TPID"

# raw bpftrace output: no -q (keeps "Attaching 9 probes..."), and a one-page perf buffer
# per CPU so that bpftrace drops events and writes "Lost N events" lines into the -o file.
# Whether it drops is up to the scheduler: retry until it did.
for try in 1 2 3 4 5 6 7 8 9 10; do
    BPFTRACE_PERF_RB_PAGES=1 bpftrace -o "$HERE/lost-events.bpftrace.txt" "$BT" "$PY" \
        -c "$PY -S call_stack.py" > /dev/null
    if grep -q '^Lost ' "$HERE/lost-events.bpftrace.txt"; then break; fi
done
