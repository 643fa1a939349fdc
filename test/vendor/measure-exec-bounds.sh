#!/bin/sh
# Measures the exec: driver's bounds on the built CLI (npm run build first); not part of npm test.
#   sh test/vendor/measure-exec-bounds.sh [dead|wrapper|flood|big|all]
# NNLSTM_BIN: the CLI launcher to run (default bin/nnlstm.js).
# dead     a driver that never answers hello, whole suite, default budgets: wall time, exit code
# wrapper  `sh hygiene.sh wrapper … hang` (a shell whose child hangs), --timeout 1: wall time, survivors
# flood    100 MiB of stderr per case (every case with a prepare; FLOOD_FILTER, default the whole suite): host peak RSS
# big      a 256 MiB execute answer per positive case (BIG_FILTER, default 8 LSTM cases): time, host peak RSS
# "host peak RSS" is the CLI process's own (fixtures/report-rss.mjs); GNU time's maximum RSS, also
# printed, is the largest of the CLI and the driver processes it reaped.
set -u
cd "$(dirname "$0")/../.."
PY=$(python3 -c 'import sys; print(sys.executable)')
FIX=test/vendor/fixtures
OUT=${TMPDIR:-/tmp}/nnlstm-measure
mkdir -p "$OUT"
what=${1:-all}

timed() { # label, then the CLI arguments
  label=$1; shift
  /usr/bin/time -v -o "$OUT/$label.time" node --import "./$FIX/report-rss.mjs" "${NNLSTM_BIN:-bin/nnlstm.js}" conformance "$@" > "$OUT/$label.out" 2> "$OUT/$label.err"
  rc=$?
  wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$OUT/$label.time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/$label.time")
  echo "$label: exit $rc, wall $wall, $(grep 'host peak RSS' "$OUT/$label.err"), GNU time max RSS $((rss / 1024)) MiB"
  head -n 2 "$OUT/$label.out" | sed 's/^/  | /'
  tail -n 1 "$OUT/$label.out" | sed 's/^/  | /'
}

survivors() { # pid file
  alive=""
  for p in $(cat "$1"); do
    st=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$p/stat" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ] && alive="$alive $p"
  done
  echo "  survivors of $(wc -l < "$1") driver-tree pids:${alive:- none}"
  ps -eo pid,pgid,stat,etime,args | grep -E "faulty_driver|sleep 1000" | grep -v grep | sed 's/^/  ps: /'
}

if [ "$what" = dead ] || [ "$what" = all ]; then
  timed dead --driver 'exec:sleep 1000' --json "$OUT/dead.json"
fi
if [ "$what" = wrapper ] || [ "$what" = all ]; then
  rm -f "$OUT/wrapper.pids"
  NNLSTM_PIDFILE="$OUT/wrapper.pids" timed wrapper --driver "exec:sh $FIX/hygiene.sh wrapper $PY hang" --filter aosp/lstm-f32-cifg --timeout 1
  survivors "$OUT/wrapper.pids"
  rm -f "$OUT/orphan.pids"
  NNLSTM_PIDFILE="$OUT/orphan.pids" timed orphan --driver "exec:sh $FIX/hygiene.sh orphan-stdout $PY correct" --filter aosp/lstm-f32-cifg --timeout 5
  survivors "$OUT/orphan.pids"
  rm -f "$OUT/ignore.pids"
  NNLSTM_PIDFILE="$OUT/ignore.pids" timed ignore-term --driver "exec:sh $FIX/hygiene.sh ignore-term $PY hang" --filter aosp/lstm-f32-cifg --timeout 1
  survivors "$OUT/ignore.pids"
fi
if [ "$what" = flood ] || [ "$what" = all ]; then
  timed flood --driver "exec:$PY -S $FIX/faulty_driver.py flood-stderr 100" ${FLOOD_FILTER:+--filter "$FLOOD_FILTER"} --timeout 30 --json "$OUT/flood.json"
  ls -l "$OUT/flood.json" | sed 's/^/  /'
fi
if [ "$what" = big ] || [ "$what" = all ]; then
  timed big --driver "exec:$PY -S $FIX/faulty_driver.py big-answer 256" --filter "${BIG_FILTER:-/^aosp\/lstm-f32-/}" --timeout 60 --json "$OUT/big.json"
  ls -l "$OUT/big.json" | sed 's/^/  /'
fi
