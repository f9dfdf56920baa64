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

# WERROR= turns warnings back into warnings (make mutate builds mutants that way).
WERROR ?= -Werror
IGOS_CFLAGS = -std=gnu11 -Wall -Wextra $(WERROR) -D_GNU_SOURCE -Ilib $(SANFLAGS) \
	$(call pc_cflags,libcrypto p11-kit-1)
IGOS_LDFLAGS = $(SANFLAGS) -Wl,--as-needed
# TSS2 key files (lib/tpmkey.c) sign through libtss2 wherever a key is opened
TPMKEY_PC = tss2-esys tss2-tctildr tss2-mu tss2-rc
BASE_LIBS = $(call pc_libs,libcrypto p11-kit-1 $(TPMKEY_PC))

# Header dependencies come from the compiler: every compile writes <target>.d
# (-MMD -MP), included below, so an edit rebuilds what it affects. A build
# directory made before that has no .d files: DEPSTAMP, which every compiled
# target depends on, is new there and rebuilds everything once.
DEPFLAGS = -MMD -MP -MF $@.d -MT $@
DEPSTAMP = $(BUILD)/.depend-mmd

# Library files that need more than libcrypto and p11-kit, and what a program
# that links them adds (set here, before the fragments that use them).
CFLAGS_lib_pcr       := $(call pc_cflags,tss2-mu)
CFLAGS_lib_pcrpolicy := $(call pc_cflags,tss2-mu)
CFLAGS_lib_pcrsig    := $(call pc_cflags,json-c)
CFLAGS_lib_tpmkey    := $(call pc_cflags,$(TPMKEY_PC))
CFLAGS_lib_veritysig := $(call pc_cflags,json-c)
PCR_LIBS := $(call pc_libs,tss2-mu json-c)

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

$(BUILD)/obj/lib/%.o: lib/%.c $(DEPSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(IGOS_CFLAGS) $(DEPFLAGS) $(CFLAGS_lib_$*) -c -o $@ $<

$(LIBIGOS): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: tools/%.c $(LIBIGOS) $(DEPSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(IGOS_CFLAGS) $(DEPFLAGS) $(CFLAGS_$*) $(LDFLAGS) $(IGOS_LDFLAGS) -o $@ $< \
		$(LIBIGOS) $(LIBS_$*) $(BASE_LIBS)

$(BUILD)/tests/unit/%.t: tests/unit/%.c $(LIBIGOS) $(DEPSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(IGOS_CFLAGS) $(DEPFLAGS) -Itests/lib $(LDFLAGS) $(IGOS_LDFLAGS) -o $@ $< \
		$(LIBIGOS) $(UNIT_LIBS_$*) $(BASE_LIBS)

units: $(UNITS)

$(DEPSTAMP):
	@mkdir -p $(@D)
	@touch $@

-include $(wildcard $(addsuffix /*.d,$(BUILD)/obj/lib $(BUILD)/bin $(BUILD)/tests \
	$(BUILD)/tests/unit $(BUILD)/tests/efi $(BUILD)/efi $(FUZZ_BUILD) $(FUZZ_BUILD)/obj))

deps:
	@sh mk/deps.sh

# The sanitizer pass leaves out the qemu boots (TCG under ASan is too slow to be useful).
# The longest tests start first (the whole-suite tests, then the boots), so that
# the two prove jobs do not end with one long test running alone.
# It also leaves out the fuzz tests and valgrind: the fuzz targets (build-fuzz) are built
# with ASan and UBSan whatever SANITIZE says, so a second run is the same test again, and
# valgrind cannot run sanitized binaries.
SLOW_TESTS = $(wildcard tests/t/99[0-9]-*.t)
SAN_SAME_TESTS = $(wildcard tests/t/990-*.t tests/t/991-*.t tests/t/995-*.t)
ifeq ($(SANITIZE),1)
RUN_TESTS = $(filter-out $(SAN_SAME_TESTS),$(SLOW_TESTS)) $(UNITS) \
	$(filter-out $(SLOW_TESTS),$(wildcard $(CHECK_TESTS)))
else
RUN_TESTS = $(SLOW_TESTS) $(wildcard $(VM_TESTS)) $(UNITS) \
	$(filter-out $(SLOW_TESTS),$(wildcard $(CHECK_TESTS)))
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
	@IGOS_BUILD=$(abspath $(BUILD)) IGOS_SRC=$(CURDIR) PATH=$(abspath $(BUILD))/bin:$$PATH \
		sh tests/bench/run.sh $(BENCHES)

clean:
	rm -rf build build-san build-fuzz

# The whole chain on a real kernel under Secure Boot and a TPM (see README).
demo: deps
	$(MAKE) all
	IGOS_BUILD=$(abspath $(BUILD)) sh tests/demo/demo.sh
