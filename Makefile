# altorc: build, test, demo and install.
#
#   make            build ./altorc
#   make demo       build, then show alternatives, stack states and ORC of a bundled fixture
#   make check      every test: unit (Check), fixtures, and a real-corpus subset when ../shared exists
#   make deps       install missing Debian packages (as root) or print the apt-get line
#   make asan       build ./altorc-asan and run the tests under ASan + UBSan
#   make bench      CPU-time and peak-memory ratios against the reference objtool, per object
#                   and on a vmlinux.o-sized link, in one table (tests/scripts/bench-all.sh)
#   make bench-scale the same on one vmlinux.o-sized ld -r link of the corpus (Documentation/scale.md)
#   make bench-vmlinux the captured 6.12 vmlinux.o against the reference, with and without threads
#   make fuzz       libFuzzer run, FUZZ_SECONDS=60 by default (needs clang)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        the Debian package, build/deb/altorc_VERSION_ARCH.deb (dpkg-buildpackage)
#
# Libraries: libelf and check are found with pkg-config.  Debian's Zydis and
# libdwarf ship no .pc file, so their flags are spelled out below; override
# ZYDIS_CFLAGS/ZYDIS_LIBS or DWARF_CFLAGS/DWARF_LIBS on the command line
# (e.g. `make DWARF_CFLAGS=-I/opt/dwarf/include DWARF_LIBS=-L/opt/dwarf/lib\ -ldwarf`).

CC        ?= gcc
PKG_CONFIG ?= pkg-config
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build

ELF_CFLAGS   ?= $(shell $(PKG_CONFIG) --cflags libelf 2>/dev/null)
ELF_LIBS     ?= $(shell $(PKG_CONFIG) --libs libelf 2>/dev/null || echo -lelf)
CHECK_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   ?= $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck)
# No pkg-config file in Debian's libzydis-dev / libdwarf-dev:
ZYDIS_CFLAGS ?=
ZYDIS_LIBS   ?= -lZydis
DWARF_CFLAGS ?= -I/usr/include/libdwarf
DWARF_LIBS   ?= -ldwarf

# The version is the VERSION file's; the commit is git's, "-dirty" when the tree has
# uncommitted changes, "unknown" outside a git checkout (a source package, a tarball).  Only
# objtool/version.o sees them, and a stamp file rebuilds it when either changes.
# Either can be given on the command line (a packager's own build); each is computed once.
ifeq ($(origin ALTORC_VERSION),undefined)
ALTORC_VERSION := $(or $(shell cat VERSION 2>/dev/null),0.0.0)
endif
ifeq ($(origin ALTORC_COMMIT),undefined)
ALTORC_COMMIT := $(shell if test -e .git && c=$$(git rev-parse --short=12 HEAD 2>/dev/null); then \
			git diff --quiet HEAD -- 2>/dev/null || c=$$c-dirty; echo $$c; else echo unknown; fi)
endif

# -Wmissing-prototypes and -Wmissing-declarations keep every non-static function declared in
# its module's header; -Wshadow and -Wwrite-strings keep const and names honest.
WARN      := -Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes \
	     -Wmissing-declarations -Wstrict-prototypes -Wold-style-definition -Wshadow -Wundef \
	     -Wwrite-strings -Wredundant-decls -Wpointer-arith -Wvla -Wformat-security
OPT       ?= -O2 -g
CFLAGS    ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude -Iarch/x86/include \
	      $(ELF_CFLAGS) $(ZYDIS_CFLAGS) $(DWARF_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LIBS      := $(ELF_LIBS) $(ZYDIS_LIBS) $(DWARF_LIBS) -lpthread

# One folder per stage of the pipeline (see Documentation/design.md); arch/x86 is the only
# code that knows the instruction set.
STAGES    := base elf special dwarf kernel stack cfg validate orc sites report cmd
LIB_SRCS  := $(sort $(filter-out objtool/cmd/main.c,$(foreach d,$(STAGES),$(wildcard objtool/$(d)/*.c))) \
	       $(wildcard arch/x86/*.c arch/x86/decode/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/objtool/cmd/main.o
TEST_SRCS := $(sort $(wildcard tests/unit/*.c))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o)

.PHONY: all check unit demo deps deps-quiet asan bench bench-scale bench-vmlinux install uninstall clean fuzz deb FORCE

BIN       ?= altorc

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(BUILD)/libaltorc.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS) $(LDFLAGS)

$(BUILD)/libaltorc.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/version.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(ALTORC_VERSION) $(ALTORC_COMMIT)' > $@.new; \
	 if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

$(BUILD)/objtool/base/version.o: $(BUILD)/version.stamp
$(BUILD)/objtool/base/version.o: ALL_CFLAGS += -DALTORC_VERSION='"$(ALTORC_VERSION)"' \
					       -DALTORC_COMMIT='"$(ALTORC_COMMIT)"'

# Tests build argv arrays from string literals, as a shell would hand them to main().
TEST_CFLAGS := $(filter-out -Wwrite-strings,$(ALL_CFLAGS)) $(CHECK_CFLAGS)

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/unit-tests: $(TEST_OBJS) $(BUILD)/libaltorc.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS) $(LDFLAGS)

# Every test.  Each stage prints its own "N passed, N failed" line.
check: deps-quiet $(BIN) $(BUILD)/unit-tests
	ALTORC=$(CURDIR)/$(BIN) BUILD=$(CURDIR)/$(BUILD) tests/run-all.sh

unit: $(BUILD)/unit-tests
	cd tests && ../$(BUILD)/unit-tests

demo: deps-quiet $(BIN)
	ALTORC=$(CURDIR)/$(BIN) tests/scripts/demo.sh

deps:
	@scripts/deps.sh

deps-quiet:
	@scripts/deps.sh --quiet

asan:
	$(MAKE) BUILD=build-asan BIN=altorc-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" altorc-asan build-asan/unit-tests
	ALTORC=$(CURDIR)/altorc-asan BUILD=$(CURDIR)/build-asan SANITIZED=1 tests/run-all.sh

bench: $(BIN)
	ALTORC=$(CURDIR)/$(BIN) tests/scripts/bench-all.sh

# libFuzzer (clang) for FUZZ_SECONDS, after replaying tests/fuzz/regressions; see fuzz.sh.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/scripts/fuzz.sh

# One linked object the shape of vmlinux.o (all corpus 6.1 objects, ld -r), a quarter, a
# half: CPU and peak-RSS ratios against the reference objtool; see Documentation/scale.md.
bench-scale: $(BIN)
	ALTORC=$(CURDIR)/$(BIN) tests/scripts/scale-bench.sh

bench-vmlinux: $(BIN)
	ALTORC=$(CURDIR)/$(BIN) tests/scripts/bench-vmlinux.sh

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/altorc
	install -m 644 Documentation/altorc.1 $(DESTDIR)$(PREFIX)/share/man/man1/altorc.1

# dpkg-buildpackage in this tree; the .deb, .buildinfo and .changes end up in build/deb/ and
# the tree is cleaned again (scripts/deb.sh).
deb:
	scripts/deb.sh

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/altorc $(DESTDIR)$(PREFIX)/share/man/man1/altorc.1

clean:
	rm -rf build build-asan build-fuzz altorc altorc-asan

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJS:.o=.d)
