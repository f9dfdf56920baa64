# Shared by the igos-ukify tests (tests/t/2x-ukify-*.t): inputs made here.
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub

# mkkernel FILE VERSION [SIZE]: a stand-in x86 bzImage: "HdrS" at 0x202, the
# version string pointer (minus 0x200) at 0x20E, the string at 0x1000.
mkkernel() {
	head -c "${3:-65536}" /dev/urandom >"$1"
	printf 'HdrS' | dd of="$1" bs=1 seek=$((0x202)) conv=notrunc 2>/dev/null
	printf '\000\016' | dd of="$1" bs=1 seek=$((0x20e)) conv=notrunc 2>/dev/null
	printf '%s (builder@example) #1 SMP PREEMPT_DYNAMIC\000' "$2" |
		dd of="$1" bs=1 seek=$((0x1000)) conv=notrunc 2>/dev/null
}

# section UKI NAME: the section's bytes (VirtualSize of them), read by objcopy.
section() {
	rm -f "$T/.section"
	objcopy -O binary --only-section="$2" "$1" "$T/.section" 2>/dev/null &&
		cat "$T/.section" && rm -f "$T/.section"
}
