#!/bin/bash
# fixture-malformed-threads.sh: malformed.sh again with ALTORC_THREADS=2, as a fixture stage of
# its own (tests/scripts/fixtures.sh adds up every stage's counts).  With two threads validation
# runs on threads and the sites are collected beside it: sites/job.c loads what they read up
# front, and on a damaged table must fall back so that the error comes where it always did.
ALTORC_THREADS=2 exec "$(dirname "$0")/malformed.sh" "$@"
