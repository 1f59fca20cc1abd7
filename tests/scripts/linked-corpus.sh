#!/bin/bash
# linked-corpus.sh: link every corpus object that carries ORC (NAME.post.o, the reference
# objtool's output) into an ET_EXEC image the shape of vmlinux, then check the linked-image
# commands on it:
#   1. `altorc orc dump IMAGE` is identical to the reference's `--dump=orc IMAGE`;
#   2. `altorc orc diff IMAGE NAME.post.o` finds no difference: every object section placed
#      where ld put it (.text, .text.unlikely, .init.text, .exit.text, .noinstr.text ...);
#   3. `altorc explain --object NAME.post.o IMAGE FUNC+0x1` exits 0 and carries the address to
#      FUNC+0x1 of the object (FUNC: the object's first function with ORC, chosen with readelf).
# By hand (not part of `make check`); the corpus is built by ../shared/corpus/build-corpus.
#
#   tests/scripts/linked-corpus.sh [DIR...]     # default: ../corpus-cache/6.1 ../corpus-cache/6.12
#
# The reference is the one matching each folder (6.1: linux-headers-6.1.0-*-amd64, 6.12:
# linux-headers-6.12.*-amd64, with SRCARCH=x86).  Last line: 'N passed, M failed, K skipped'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
export SRCARCH=x86
(($#)) || set -- "$top/../corpus-cache/6.1" "$top/../corpus-cache/6.12"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-linkedcorpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

cat > "$tmp/img.lds" <<'EOF'
SECTIONS {
  . = 0xffffffff81000000;
  .text : { _stext = .; *(.text .text.*) _etext = .; }
  . = ALIGN(4096);
  .init.text : { _sinittext = .; *(.init.text) _einittext = .; }
  . = ALIGN(4);
  .orc_unwind_ip : { *(.orc_unwind_ip) }
  . = ALIGN(2);
  .orc_unwind : { *(.orc_unwind) }
  . = ALIGN(4);
  .orc_lookup : { orc_lookup = .; . += (((_etext - _stext + 255) / 256) + 1) * 4; orc_lookup_end = .; }
}
EOF

one() {
  local obj=$1 ref=$2 img=$tmp/img out rc func
  if ! ld --unresolved-symbols=ignore-all -noinhibit-exec -T "$tmp/img.lds" -o "$img" "$obj" \
       > /dev/null 2>&1 || [[ ! -s $img ]]; then
    skipped=$((skipped + 1)); return
  fi
  "$ref" --dump=orc "$img" > "$tmp/ref.dump" 2> /dev/null
  "$ALTORC" orc dump "$img" > "$tmp/alt.dump" 2> "$tmp/alt.err"; rc=$?
  if ((rc != 0)) || ! cmp -s "$tmp/ref.dump" "$tmp/alt.dump"; then
    bad "$obj: orc dump (exit $rc): $(cat "$tmp/alt.err"; diff "$tmp/ref.dump" "$tmp/alt.dump" | head -3)"; return
  fi
  out=$("$ALTORC" orc diff "$img" "$obj" 2>&1); rc=$?
  if ((rc != 0)) || [[ $out != "0 of "* ]]; then
    bad "$obj: orc diff image/object: exit $rc: $(tail -n 3 <<< "$out")"; return
  fi
  # The first function of .text (by address) with a size of more than one byte.
  func=$(readelf -sW "$obj" | awk -v text="$(readelf -SW "$obj" | awk '$2 == ".text" { gsub(/[][]/, "", $1); print $1 }' | head -n 1)" \
    '$4 == "FUNC" && $7 == text && $3 + 0 > 1 { print $2, $8 }' | sort | head -n 1 | cut -d' ' -f2)
  if [[ -n $func ]]; then
    out=$("$ALTORC" explain --object "$obj" "$img" "$func+0x1" 2>&1); rc=$?
    if ((rc != 0)) || [[ $out != *"object          $obj .text+0x"* || $out != *"($func+0x1)"* ]]; then
      bad "$obj: explain --object $func+0x1: exit $rc: $(head -n 3 <<< "$out")"; return
    fi
  fi
  passed=$((passed + 1))
}

for dir in "$@"; do
  [[ -d $dir ]] || { echo "skip: no $dir"; continue; }
  case "$(realpath "$dir")/" in
    */6.1/* | */6.1-*) ref=$(ls /usr/src/linux-headers-6.1.0-*-amd64/tools/objtool/objtool 2> /dev/null | head -n 1) ;;
    *) ref=$(ls /usr/src/linux-headers-6.12.*-amd64/tools/objtool/objtool 2> /dev/null | head -n 1) ;;
  esac
  [[ -x $ref ]] || { echo "skip $dir: no reference objtool"; continue; }
  before=$((passed + failed + skipped))
  while IFS= read -r obj; do
    one "$obj" "$ref"
  done < <(find "$dir" -name '*.post.o' | sort)
  echo "$dir: $((passed + failed + skipped - before)) objects"
done
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
