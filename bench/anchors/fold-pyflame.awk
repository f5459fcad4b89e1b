# Anchor for bench/throughput.mjs: folds a pyflame-format trace (tab-separated: ts pid tid probe
# file function line) into self time per stack, the way a one-screen awk script would: a stack
# string per thread, the time since the thread's previous event added to the stack on top.
BEGIN { FS = "\t" }
/^#/ { next }
{
  t = $3
  if (t in last) self[st[t]] += $1 - last[t]
  last[t] = $1
  if ($4 == "function__entry" || $4 == "function-entry") {
    n[t]++; len[t, n[t]] = length(st[t]); st[t] = st[t] ";" $5 ":" $6
  } else if (($4 == "function__return" || $4 == "function-return") && n[t] > 0) {
    st[t] = substr(st[t], 1, len[t, n[t]]); n[t]--
  }
}
END { for (s in self) print s, self[s] }
