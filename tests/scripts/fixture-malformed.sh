#!/bin/bash
# fixture-malformed.sh: the malformed-input suite (malformed.sh) as one of the fixture stages
# that tests/scripts/fixtures.sh runs in `make check` and `make asan`.
# It runs twice: as kbuild runs altorc on a module (one thread for these small objects), and
# with ALTORC_THREADS=2, where validation runs on threads and the sites are collected beside it
# (sites/job.c loads what they read up front, and on a damaged table must fall back so that
# the error comes where it always did).  Last line: the two passes' counts added up.
here=$(dirname "$0")
total_p=0 total_f=0 total_s=0
for threads in "" 2; do
  [[ -n $threads ]] && echo "== with ALTORC_THREADS=$threads"
  if [[ -n $threads ]]; then
    out=$(ALTORC_THREADS=$threads "$here/malformed.sh" "$@")
  else
    out=$(env -u ALTORC_THREADS "$here/malformed.sh" "$@")
  fi
  echo "$out"
  last=$(tail -n 1 <<< "$out")
  [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]] ||
    { echo "fixture-malformed: malformed.sh gave no count"; total_f=$((total_f + 1)); continue; }
  total_p=$((total_p + BASH_REMATCH[1])) total_f=$((total_f + BASH_REMATCH[2]))
  total_s=$((total_s + ${BASH_REMATCH[4]:-0}))
done
if ((total_s)); then
  echo "$total_p passed, $total_f failed, $total_s skipped"
else
  echo "$total_p passed, $total_f failed"
fi
((total_f == 0))
