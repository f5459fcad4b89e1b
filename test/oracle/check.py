#!/usr/bin/env python3
"""Self-test of the oracle (standard library only).

    python3 test/oracle/check.py

1. Every test/oracle/cases/NAME.pyflame.txt is run through oracle.py and compared (as parsed
   JSON, numbers compared by value and type) with the hand-computed NAME.expected.json.
2. Every sample-traces/*.pyflame.txt and sample-traces/lost-events.bpftrace.txt is run and
   checked: selfSumNs == rootTotalNs; per function 0 <= selfNs, totalNs <= rootTotalNs,
   completed activations <= calls when calls > 0 ... (see below).
Exit status 0 if everything holds.
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import oracle  # noqa: E402


def diff(x, y, path="$"):
    if type(x) is not type(y):
        return [f"{path}: {x!r} != {y!r}"]
    if isinstance(x, dict):
        out = []
        for k in sorted(set(x) | set(y)):
            if k not in x or k not in y:
                out.append(f"{path}.{k}: missing on one side")
            else:
                out += diff(x[k], y[k], f"{path}.{k}")
        return out
    if isinstance(x, list):
        out = [] if len(x) == len(y) else [f"{path}: length {len(x)} != {len(y)}"]
        for i, (u, v) in enumerate(zip(x, y)):
            out += diff(u, v, f"{path}[{i}]")
        return out
    return [] if x == y else [f"{path}: {x!r} != {y!r}"]


def sanity(out):
    errs = []
    if out["selfSumNs"] != out["rootTotalNs"]:
        errs.append(f"selfSumNs {out['selfSumNs']} != rootTotalNs {out['rootTotalNs']}")
    for f in out["functions"]:
        tag = f"{f['file']}:{f['name']}:{f['line']}"
        if f["selfNs"] < 0:
            errs.append(f"{tag}: selfNs < 0")
        if f["totalNs"] > out["rootTotalNs"]:
            errs.append(f"{tag}: totalNs > rootTotalNs")
        if f["minNs"] is not None:
            if not (f["minNs"] <= f["p50Ns"] <= f["p95Ns"] <= f["p99Ns"] <= f["maxNs"]):
                errs.append(f"{tag}: percentiles out of order")
            if not (f["minNs"] <= f["meanNs"] <= f["maxNs"]):
                errs.append(f"{tag}: mean out of range")
            if f["calls"] == 0:
                errs.append(f"{tag}: completed activations without entries")
        elif f["partial"] == 0:
            errs.append(f"{tag}: no completed and no partial activation")
    gc = out["gc"]
    if gc["totalPauseNs"] != sum(p["durationNs"] for p in gc["pauses"]):
        errs.append("gc totalPauseNs != sum of pauses")
    if gc["totalPauseNs"] != sum(g["totalNs"] for g in gc["byGeneration"]):
        errs.append("gc totalPauseNs != sum of byGeneration")
    for i in out["imports"]:
        if not (0 <= i["selfNs"] <= i["durationNs"]):
            errs.append(f"import {i['module']}: selfNs out of range")
    return errs


def main():
    ok = True
    for trace in sorted(glob.glob(os.path.join(HERE, "cases", "*.pyflame.txt"))):
        exp_path = trace[: -len(".pyflame.txt")] + ".expected.json"
        out, _ = oracle.analyze(trace)
        out = json.loads(json.dumps(out))
        with open(exp_path, encoding="utf-8") as fh:
            exp = json.load(fh)
        d = diff(out, exp)
        print(f"case {os.path.basename(trace)}: {'OK' if not d else 'MISMATCH'}")
        for line in d:
            print("   ", line)
        ok &= not d
    samples = sorted(glob.glob(os.path.join(ROOT, "sample-traces", "*.pyflame.txt")))
    samples.append(os.path.join(ROOT, "sample-traces", "lost-events.bpftrace.txt"))
    for trace in samples:
        out, diag = oracle.analyze(trace)
        errs = sanity(out)
        print(f"sample {os.path.basename(trace)}: {'OK' if not errs else 'FAIL'} "
              f"rootTotalNs={out['rootTotalNs']} functions={len(out['functions'])} "
              f"pauses={len(out['gc']['pauses'])} imports={len(out['imports'])} "
              f"threads={len(out['threads'])}")
        for e in errs[:20]:
            print("   ", e)
        ok &= not errs
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
