# capture-lib.sh: sourced by the corpus scripts; how a captured object's path names its kernel.
#
# Two layouts hold NAME.pre.o: the module captures CACHE/KERNEL[-VARIANT]/SLUG/NAME.pre.o
# (corpus-build.sh, ../shared/corpus/build-corpus) and the whole-kernel captures
# CACHE/kernel/KERNEL[-NAME]/OBJ.pre.o (kernel-build.sh, ../shared/corpus/build-kernel).

# capture_kernel PRE: the capture folder's kernel name, KERNEL[-VARIANT] (6.1, 6.12-noibt,
# 6.1-debug-entry ...): the object's own folder when it is named so, else the one above it.
capture_kernel() {
  local dir
  dir=$(dirname "$1")
  if [[ $(basename "$dir") =~ ^6\.[0-9]+(-|$) ]]; then basename "$dir"
  else basename "$(dirname "$dir")"
  fi
}
