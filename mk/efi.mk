# The UKI stub (efi/: igos-stubx64.efi) and two small EFI test programs
# (tests/efi/: marker, chain, judge), built with gnu-efi (Debian's gnu-efi 3.0.15) for
# x86_64; efi/README. The host-side fix-up every EFI image goes through is
# mk/efi-fixup.c.

GNUEFI_INC ?= /usr/include/efi
GNUEFI_LIB ?= /usr/lib
EFI_CC     ?= gcc
EFI_LD     ?= ld
OBJCOPY    ?= objcopy
NM         ?= nm

# Not the project's IGOS_CFLAGS: freestanding, position independent; firmware
# is called through uefi_call_wrapper (Debian's libefi is built that way, and
# mixing in GNU_EFI_USE_MS_ABI breaks its varargs Print).
EFI_CFLAGS = -std=gnu11 -O2 -Wall -Wextra $(WERROR) -Iefi \
	-I$(GNUEFI_INC) -I$(GNUEFI_INC)/x86_64 \
	-ffreestanding -fpic -fshort-wchar -mno-red-zone -maccumulate-outgoing-args \
	-fno-stack-protector -fno-stack-check -fno-strict-aliasing \
	-DEFI_FUNCTION_WRAPPER -DIGOS_EFI
EFI_LDFLAGS = -shared -Bsymbolic -nostdlib -znocombreloc --no-undefined \
	-T $(BUILD)/efi/efi.lds $(GNUEFI_LIB)/crt0-efi-x86_64.o
EFI_LIBS = -L$(GNUEFI_LIB) -lefi -lgnuefi
EFI_SECTIONS = -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
	-j '.rel.*' -j '.rela.*' -j .reloc -j .sbat

STUB_EFI   := $(BUILD)/efi/igos-stubx64.efi
MARKER_EFI := $(BUILD)/efi/igos-marker.efi
# Test program for the VM tests: LoadImage/StartImage of \uki.efi with options.
CHAIN_EFI  := $(BUILD)/efi/igos-chain.efi
# Test program for tests/vm/sign-rules.t: LoadImage of each listed image.
JUDGE_EFI  := $(BUILD)/efi/igos-judge.efi
ALL_EXTRA += $(STUB_EFI) $(MARKER_EFI) $(CHAIN_EFI) $(JUDGE_EFI)
INSTALL_EXTRA += install-efi

# gnu-efi's linker script with a page-aligned .sbat output section before
# .dynamic (an orphan .sbat would land on an unaligned address).
$(BUILD)/efi/efi.lds: $(GNUEFI_LIB)/elf_x86_64_efi.lds mk/efi.mk
	@mkdir -p $(@D)
	sed 's|^\( *\)\.dynamic *: *{ \*(\.dynamic) }|\1.sbat : { KEEP(*(.sbat)) }\n\1. = ALIGN(4096);\n&|' $< > $@.tmp
	grep -q 'KEEP(\*(.sbat))' $@.tmp || { echo 'efi.lds: cannot place .sbat' >&2; rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

$(BUILD)/efi/%.o: efi/%.c $(DEPSTAMP)
	@mkdir -p $(@D)
	$(EFI_CC) $(EFI_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/tests/efi/%.o: tests/efi/%.c $(DEPSTAMP)
	@mkdir -p $(@D)
	$(EFI_CC) $(EFI_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/efi/igos-stubx64.so: $(BUILD)/efi/stub.o $(BUILD)/efi/pure.o $(BUILD)/efi/addons.o \
	$(BUILD)/efi/addons-pure.o $(BUILD)/efi/tcg2.o $(BUILD)/efi/chid.o \
	$(BUILD)/efi/devicetree.o $(BUILD)/efi/efi.lds
	$(EFI_LD) $(EFI_LDFLAGS) $(filter %.o,$^) -o $@ $(EFI_LIBS)

$(BUILD)/efi/igos-marker.so: $(BUILD)/tests/efi/marker.o $(BUILD)/efi/efi.lds
	$(EFI_LD) $(EFI_LDFLAGS) $(filter %.o,$^) -o $@ $(EFI_LIBS)

$(BUILD)/efi/igos-chain.so: $(BUILD)/tests/efi/chain.o $(BUILD)/efi/efi.lds
	$(EFI_LD) $(EFI_LDFLAGS) $(filter %.o,$^) -o $@ $(EFI_LIBS)

$(BUILD)/efi/igos-judge.so: $(BUILD)/tests/efi/judge.o $(BUILD)/efi/efi.lds
	$(EFI_LD) $(EFI_LDFLAGS) $(filter %.o,$^) -o $@ $(EFI_LIBS)

# Host helper: checks the PE (PE32+ EFI app, 4 KiB sections, no symbol
# table), sets NX-compat, recomputes the checksum.
$(BUILD)/efi/efi-fixup: mk/efi-fixup.c $(LIBIGOS) $(DEPSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(IGOS_CFLAGS) $(DEPFLAGS) $(LDFLAGS) $(IGOS_LDFLAGS) -o $@ $< $(LIBIGOS) $(BASE_LIBS)

EFI_FIXUP_igos-stubx64 = --sbat
EFI_FIXUP_igos-judge = --sbat
$(BUILD)/efi/%.efi: $(BUILD)/efi/%.so $(BUILD)/efi/efi-fixup
	@u=$$($(NM) -D --undefined-only $<); \
	if [ -n "$$u" ]; then echo "$<: undefined symbols: $$u" >&2; exit 1; fi
	$(OBJCOPY) $(EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 --strip-all $< $@.tmp
	$(BUILD)/efi/efi-fixup $(EFI_FIXUP_$*) $@.tmp
	mv $@.tmp $@

.PHONY: install-efi
install-efi: $(STUB_EFI)
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0644 $(STUB_EFI) $(DESTDIR)$(LIBEXECDIR)/igos-stubx64.efi

# The PE a UKI addon is built on (igos-ukify build --addon; efi/addon.c),
# installed beside the stub.
ADDON_EFI := $(BUILD)/efi/igos-addonx64.efi
ALL_EXTRA += $(ADDON_EFI)
INSTALL_EXTRA += install-efi-addon

$(BUILD)/efi/igos-addonx64.so: $(BUILD)/efi/addon.o $(BUILD)/efi/efi.lds
	$(EFI_LD) $(EFI_LDFLAGS) $(filter %.o,$^) -o $@ $(EFI_LIBS)

.PHONY: install-efi-addon
install-efi-addon: $(ADDON_EFI)
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0644 $(ADDON_EFI) $(DESTDIR)$(LIBEXECDIR)/igos-addonx64.efi

# tests/unit/efi-chid.c builds its .hwids tables with lib/ukihwids.c (json-c).
UNIT_LIBS_efi-chid := $(call pc_libs,json-c)
