#!/bin/bash
# fixture-malformed.sh: the malformed-input suite (malformed.sh) as one of the fixture stages
# that tests/scripts/fixtures.sh runs in `make check` and `make asan`.
exec "$(dirname "$0")/malformed.sh" "$@"
