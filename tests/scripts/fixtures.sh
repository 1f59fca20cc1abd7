#!/bin/bash
# fixtures.sh: run every tests/scripts/fixture-*.sh.  Each prints its own results and, as its
# last line, 'N passed, M failed[, K skipped]'; this script adds them up and prints the total
# in the same form.  A fixture script that ends without such a line counts as one failure when
# it exited non-zero and as one pass otherwise.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 skipped=0 ran=0

for script in "$here"/fixture-*.sh; do
  [[ -e $script ]] || continue
  ran=$((ran + 1))
  name=$(basename "$script" .sh)
  echo "== $name"
  log=$(mktemp)
  bash "$script" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n 1)
  rm -f "$log"
  if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
    skipped=$((skipped + ${BASH_REMATCH[4]:-0}))
    # a script that crashed after its summary still fails
    if ((rc != 0 && BASH_REMATCH[2] == 0)); then
      echo "$name: exited $rc"; failed=$((failed + 1))
    fi
  elif ((rc == 0)); then
    passed=$((passed + 1))
  else
    echo "$name: exited $rc without a summary line"; failed=$((failed + 1))
  fi
done

((ran)) || echo "fixtures: no tests/scripts/fixture-*.sh yet"
if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
