# libFuzzer targets (clang, ASan + UBSan) over the library's parsers:
#   make fuzz FUZZ_SECONDS=N     runs each tests/fuzz/fuzz-*.c target N seconds
# Corpora are generated from real files by tests/fuzz/corpus.sh into
# build-fuzz/corpus/<target>; crashes found become inputs in tests/fuzz/regress/<target>/.
FUZZ_BUILD   := build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_FLAGS   := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -Ilib $(call pc_cflags,libcrypto p11-kit-1)
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))
FUZZ_LIB_OBJ := $(patsubst lib/%.c,$(FUZZ_BUILD)/obj/%.o,$(LIB_SRC))

FUZZ_LIBS_verity := -lpthread
FUZZ_LIBS_pcrsig := $(PCR_LIBS)
FUZZ_LIBS_fec := -lpthread
FUZZ_LIBS_veritysig := $(call pc_libs,json-c)
FUZZ_LIBS_uki := $(call pc_libs,json-c)

$(FUZZ_BUILD)/obj/%.o: lib/%.c $(FUZZ_BUILD)/.depend-mmd
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link $(CFLAGS_lib_$*) -c -o $@ $<

$(FUZZ_BUILD)/libigos.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_BUILD)/libigos.a $(FUZZ_BUILD)/.depend-mmd
	$(FUZZ_CC) $(FUZZ_FLAGS) $(DEPFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libigos.a \
		$(FUZZ_LIBS_$*) $(BASE_LIBS)

$(FUZZ_BUILD)/.depend-mmd:
	@mkdir -p $(@D)
	@touch $@

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS)

fuzz: deps fuzz-build
	@FUZZ_BUILD=$(abspath $(FUZZ_BUILD)) IGOS_BUILD=$(abspath $(BUILD)) \
		sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
