# Anchor for bench/throughput.mjs: folds the CPython docs' call_stack.d layout
# ("TS<tab>  function-entry:<indent>FILE:FUNCTION:LINE", one thread) into self time per stack.
BEGIN { FS = "\t" }
{
  if (prev != "") self[st] += $1 - prev
  prev = $1
  c = index($2, ":")
  probe = substr($2, 1, c - 1); sub(/^ +/, "", probe)
  k = substr($2, c + 1); sub(/^ +/, "", k); sub(/:[0-9-]+$/, "", k)
  if (probe == "function-entry") { n++; len[n] = length(st); st = st ";" k }
  else if (probe == "function-return" && n > 0) { st = substr(st, 1, len[n]); n-- }
}
END { for (s in self) print s, self[s] }
