#!/usr/bin/env bash
# The steps of pyflame's GitHub Action (action.yml at the repository root), one subcommand each.
# Plain bash with the runner's files (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP) and `gh`, so
# that any CI can run the same steps (docs/ci.md) and a test can run them as a runner would.
# State between steps lives in $RUNNER_TEMP/pyflame: head/ (this run's recordings), base/ (the
# baseline's), diff.md, diff.json, diff.err, result.
set -euo pipefail

HOME_DIR=${PYFLAME_HOME:?PYFLAME_HOME: the checkout of the action}
WORK=${RUNNER_TEMP:?RUNNER_TEMP}/pyflame
MARKER='<!-- pyflame-diff -->'
mkdir -p "$WORK"

pyflame() { node "$HOME_DIR/bin/pyflame.js" "$@"; }
output() { echo "$1=$2" >>"${GITHUB_OUTPUT:-/dev/null}"; }
summary() { cat >>"${GITHUB_STEP_SUMMARY:-/dev/null}"; }
result() {
  echo "$1" >"$WORK/result"
  output result "$1"
}
# A failure that stops the gate: said in the job summary (a step's log is one click further away).
fail() {
  result error
  printf '## pyflame: error\n\n%s\n\n```\n%s\n```\n' "$1" "$(cat "${2:-/dev/null}" 2>/dev/null | head -c 20000)" | summary
  echo "pyflame: $1" >&2
  exit 2
}

install() {
  # pyflame installs from this checkout (npm ci runs its build): no registry release needed. A
  # checkout already installed and built (a cache, a self-hosted runner) is used as it is.
  if [[ -d $HOME_DIR/node_modules && -f $HOME_DIR/dist/src/index.js ]]; then
    echo 'pyflame: using the installed checkout'
  elif ! (cd "$HOME_DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$WORK/install.log" 2>&1; then
    fail 'installing pyflame (npm ci in the action checkout) failed' "$WORK/install.log"
  fi
  # On a Node.js older than package.json's engines this prints the one line saying which it needs.
  if ! pyflame --version >"$WORK/version.txt" 2>&1; then fail 'pyflame cannot run on this Node.js' "$WORK/version.txt"; fi
}

record() {
  local runs=${PYFLAME_RUNS:-3}
  [[ $runs =~ ^[1-9][0-9]*$ ]] || fail "runs: expected a positive whole number, got \"$runs\""
  [[ -n ${PYFLAME_COMMAND:-} ]] || fail 'command: the program to profile is required'
  local -a command options
  read -ra command <<<"$PYFLAME_COMMAND"
  read -ra options <<<"${PYFLAME_RECORD_OPTIONS:-}"
  rm -rf "$WORK/head"
  mkdir -p "$WORK/head"
  for ((i = 1; i <= runs; i++)); do
    if ! pyflame record -o "$WORK/head/run-$i.txt" "${options[@]}" -- "${command[@]}" >"$WORK/record-$i.log" 2>&1; then
      fail "recording run $i of $runs failed: pyflame record ${options[*]} -- ${command[*]}" "$WORK/record-$i.log"
    fi
    if ! pyflame analyze "$WORK/head/run-$i.txt" --json "$WORK/head/run-$i.json" >"$WORK/analyze-$i.log" 2>&1; then
      fail "analyzing run $i failed" "$WORK/analyze-$i.log"
    fi
    rm -f "$WORK/head/run-$i.txt" # the result is what the diff needs; the trace can be large
  done
  if [[ ${GITHUB_EVENT_NAME:-} == push && ${GITHUB_REF_NAME:-} == "${PYFLAME_BASELINE_BRANCH:-}" ]]; then
    output baseline true
    result baseline
    printf '## pyflame: baseline kept\n\n%s runs of `%s` on %s are the baseline for pull requests.\n' \
      "$runs" "${command[*]}" "$PYFLAME_BASELINE_BRANCH" | summary
  else
    output baseline false
  fi
}

fetch_baseline() {
  local branch=${PYFLAME_BASELINE_BRANCH:?} artifact=${PYFLAME_ARTIFACT:?} id
  # The newest unexpired artifact of that name made on the baseline branch (needs `actions: read`).
  if ! id=$(gh api "repos/$GITHUB_REPOSITORY/actions/artifacts?name=$artifact&per_page=100" \
    --jq "[.artifacts[] | select(.expired == false and .workflow_run.head_branch == \"$branch\")] | sort_by(.created_at) | last | .id // empty" \
    2>"$WORK/fetch.err"); then
    fail "listing the baseline artifacts failed (does the workflow grant \`actions: read\`?)" "$WORK/fetch.err"
  fi
  if [[ -z $id ]]; then
    result no-baseline
    output result no-baseline
    printf '## pyflame: no baseline yet\n\nNo `%s` artifact from `%s` was found (none recorded yet, or it expired): this run passes without a comparison. The next push to `%s` records one.\n' \
      "$artifact" "$branch" "$branch" | summary
    return 0
  fi
  rm -rf "$WORK/base"
  mkdir -p "$WORK/base"
  if ! gh api "repos/$GITHUB_REPOSITORY/actions/artifacts/$id/zip" >"$WORK/base.zip" 2>"$WORK/fetch.err"; then
    fail "downloading the baseline artifact $id failed" "$WORK/fetch.err"
  fi
  unzip -q -o "$WORK/base.zip" -d "$WORK/base" || fail "the baseline artifact $id is not a readable zip"
  rm -f "$WORK/base.zip"
  compgen -G "$WORK/base/*.json" >/dev/null || fail "the baseline artifact $id holds no pyflame results (*.json)"
  output result found
}

compare() {
  local -a rules=() base head
  while IFS= read -r rule; do
    rule=${rule#"${rule%%[![:space:]]*}"}
    rule=${rule%"${rule##*[![:space:]]}"}
    [[ -n $rule ]] && rules+=(--fail-on "$rule")
  done <<<"${PYFLAME_RULES:-}"
  base=("$WORK"/base/*.json)
  head=("$WORK"/head/*.json)
  # With several runs, the machine's drift between whole runs is as large as a real change:
  # --normalize scales every run to BASE's median time in Python first (docs/ci.md).
  if [[ ${PYFLAME_NORMALIZE:-true} == true ]]; then rules+=(--normalize); fi
  local status=0
  rm -f "$WORK/diff.md" "$WORK/diff.json"
  pyflame diff --base "${base[@]}" --head "${head[@]}" "${rules[@]}" \
    --markdown "$WORK/diff.md" --json "$WORK/diff.json" >"$WORK/diff.txt" 2>"$WORK/diff.err" || status=$?
  output report "$WORK/diff.md"
  case $status in
    0) result pass ;;
    1) result fail ;;
    *) fail "pyflame diff could not compare the runs (exit $status)" "$WORK/diff.err" ;;
  esac
  summary <"$WORK/diff.md"
}

comment() {
  local pr body id
  pr=$(node -e 'const e = require(process.env.GITHUB_EVENT_PATH); console.log(e.pull_request?.number ?? "")')
  [[ -n $pr ]] || return 0
  if [[ -s $WORK/diff.md ]]; then
    body=$(cat "$WORK/diff.md")
  elif [[ $(cat "$WORK/result" 2>/dev/null) == no-baseline ]]; then
    body='## pyflame: no baseline yet'$'\n\n''This pull request passes without a comparison: the baseline branch has no recorded runs yet (or they expired).'
  else
    body='## pyflame: error'$'\n\n''The gate could not run: see the job summary.'
  fi
  body="$MARKER"$'\n'"$body"
  # One comment per pull request, updated on every push: found by its marker. A comment that
  # cannot be posted (no `pull-requests: write`) is a warning: it does not decide the gate.
  local sent=''
  if ! id=$(gh api "repos/$GITHUB_REPOSITORY/issues/$pr/comments" --paginate \
    --jq "[.[] | select(.body | startswith(\"$MARKER\"))] | first | .id // empty" 2>&1); then
    sent=$id
  elif [[ -n $id ]]; then
    gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -f body="$body" >"$WORK/comment.log" 2>&1 ||
      sent=$(cat "$WORK/comment.log")
  else
    gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -f body="$body" >"$WORK/comment.log" 2>&1 ||
      sent=$(cat "$WORK/comment.log")
  fi
  if [[ -n $sent ]]; then echo "::warning::pyflame could not comment on the pull request: ${sent:0:300}"; fi
}

verdict() {
  local state
  state=$(cat "$WORK/result" 2>/dev/null || echo error)
  output result "$state"
  case $state in
    pass | baseline | no-baseline)
      echo "pyflame: $state"
      exit 0
      ;;
    fail)
      echo 'pyflame: a --fail-on rule fired (see the job summary)' >&2
      exit 1
      ;;
    *)
      echo 'pyflame: the gate could not run (see the job summary)' >&2
      exit 2
      ;;
  esac
}

case ${1:-} in
  install) install ;;
  record) record ;;
  fetch-baseline) fetch_baseline ;;
  compare) compare ;;
  comment) comment ;;
  verdict) verdict ;;
  *)
    echo "usage: $0 install|record|fetch-baseline|compare|comment|verdict" >&2
    exit 2
    ;;
esac
