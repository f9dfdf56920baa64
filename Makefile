# igos: one GNU Makefile. make | make check | make install | make demo | make bench
# Per-part rules live in mk/*.mk (one fragment per command or area).

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/lib/igos
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
LDFLAGS ?=
PKG_CONFIG ?= pkg-config

ifeq ($(SANITIZE),1)
BUILD   ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD   ?= build
SANFLAGS =
endif

pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

IGOS_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Ilib $(SANFLAGS) \
	$(call pc_cflags,libcrypto p11-kit-1)
IGOS_LDFLAGS = $(SANFLAGS) -Wl,--as-needed
BASE_LIBS = $(call pc_libs,libcrypto p11-kit-1)

TOOLS    := $(patsubst tools/%.c,%,$(wildcard tools/*.c))
BINS     := $(addprefix $(BUILD)/bin/,$(TOOLS))
LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(patsubst lib/%.c,$(BUILD)/obj/lib/%.o,$(LIB_SRC))
LIBIGOS  := $(BUILD)/libigos.a
UNIT_SRC := $(wildcard tests/unit/*.c)
UNITS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%.t,$(UNIT_SRC))
MANPAGES := $(wildcard man/*.1 man/*.7 man/*.8)

# Fragments add to these.
ALL_EXTRA   :=
CHECK_TESTS := tests/t/*.t
VM_TESTS    := tests/vm/*.t
BENCHES     :=
INSTALL_EXTRA :=

.PHONY: all check test install clean deps demo bench units FORCE
all:

include $(sort $(wildcard mk/*.mk))

all: $(LIBIGOS) $(BINS) $(ALL_EXTRA)

$(BUILD)/obj/lib/%.o: lib/%.c lib/igos.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(IGOS_CFLAGS) $(CFLAGS_lib_$*) -c -o $@ $<

$(LIBIGOS): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: tools/%.c $(LIBIGOS) lib/igos.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(IGOS_CFLAGS) $(CFLAGS_$*) $(LDFLAGS) $(IGOS_LDFLAGS) -o $@ $< \
		$(LIBIGOS) $(LIBS_$*) $(BASE_LIBS)

$(BUILD)/tests/unit/%.t: tests/unit/%.c $(LIBIGOS) tests/lib/unit.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(IGOS_CFLAGS) -Itests/lib $(LDFLAGS) $(IGOS_LDFLAGS) -o $@ $< \
		$(LIBIGOS) $(UNIT_LIBS_$*) $(BASE_LIBS)

units: $(UNITS)

deps:
	@sh mk/deps.sh

# The sanitizer pass leaves out the qemu boots (TCG under ASan is too slow to be useful).
ifeq ($(SANITIZE),1)
RUN_TESTS = $(UNITS) $(wildcard $(CHECK_TESTS))
else
RUN_TESTS = $(UNITS) $(wildcard $(CHECK_TESTS)) $(wildcard $(VM_TESTS))
endif

TEST_ENV = IGOS_BUILD=$(abspath $(BUILD)) IGOS_SRC=$(CURDIR) PATH=$(abspath $(BUILD))/bin:$$PATH \
	SANITIZE=$(SANITIZE) ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

check: deps
	$(MAKE) all units
	$(TEST_ENV) prove -j2 --timer $(PROVE_FLAGS) $(RUN_TESTS)

# Some tests only, without the deps step: make test T='tests/t/40-*.t'
test: all units
	$(TEST_ENV) prove --timer $(PROVE_FLAGS) $(T)

install: all $(INSTALL_EXTRA)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)
	for m in $(MANPAGES); do \
		s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

bench: deps
	$(MAKE) all
	@set -e; for b in $(BENCHES); do \
		IGOS_BUILD=$(abspath $(BUILD)) IGOS_SRC=$(CURDIR) PATH=$(abspath $(BUILD))/bin:$$PATH $$b; done

clean:
	rm -rf build build-san build-fuzz

# The whole chain on a real kernel under Secure Boot and a TPM (see README).
demo: deps
	$(MAKE) all
	IGOS_BUILD=$(abspath $(BUILD)) sh tests/demo/demo.sh
