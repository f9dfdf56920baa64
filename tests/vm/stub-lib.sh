# Helpers for the stub VM tests (tests/vm/stub-*.t); source after vm.sh.
#
# stub_uki OUT STUB NAME=FILE...
#     A UKI: STUB with the sections given. With igos-ukify built (in
#     $IGOS_BUILD/bin) and a .linux given, `igos-ukify build` (which also adds
#     .osrel and .uname when not given, and merges .sbat); otherwise objcopy,
#     the sections in the order given, each on a 4 KiB boundary after the
#     stub, the stub's .sbat as it is. Read .sbat back from OUT (uki_sbat).
# uki_sbat UKI OUT
#     The .sbat section of UKI (VirtualSize bytes, what the stub measures).
# stub_sign IN OUT
#     Authenticode-sign IN with OVMF's snakeoil db key (keys in $T/keys):
#     igos-sign when built, else sbsign.
# pcr_extend HEX < DATA
#     Prints sha256(HEX-bytes || sha256(DATA)): one TPM extend of DATA's digest.
# pcr11_expect NAME=FILE...
#     PCR 11 (sha256) after the stub's measurements of the given sections, in
#     the order given (the caller lists them in the measured order): for each,
#     the name with its NUL, then the content. Computed with openssl only.
# stub_parts CMDLINE
#     The section files the stub tests build from, in the current directory:
#     cmdline (CMDLINE, no newline), osrel, uname ($VM_KVER) and vmlinuz (the
#     test kernel with Debian's signature removed).
# stub_initrd OUT
#     A busybox initrd whose init prints IGOS-CMDLINE:, IGOS-PCR11:, IGOS-PCR12:
#     lines, the sha256 of each /.extra/tpm2-pcr-* file a stub handed on
#     (IGOS-EXTRA-<name>:) and each /.extra/credentials file's content
#     (IGOS-CRED-<name>:), and IGOS-TEST-DONE, then powers off.
# serial_value LOG KEY
#     The value of the first "KEY:value" line of LOG (CRs dropped).

STUB_IGOS=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-stubx64.efi
STUB_CHAIN=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-chain.efi
STUB_SYSTEMD=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
ZERO32=0000000000000000000000000000000000000000000000000000000000000000

_stub_tool() { # NAME -> path of a built igos tool, or nothing
	if [ -x "${IGOS_BUILD:-$IGOS_SRC/build}/bin/$1" ]; then
		echo "${IGOS_BUILD:-$IGOS_SRC/build}/bin/$1"
	fi
}

stub_uki() {
	_o=$1 _s=$2; shift 2
	_uk=$(_stub_tool igos-ukify)
	case " $* " in *" .linux="*) ;; *) _uk="" ;; esac # igos-ukify needs a kernel
	if [ -n "$_uk" ]; then
		_n=$#
		while [ "$_n" -gt 0 ]; do
			_p=$1 _f=${1#*=}; shift
			case ${_p%%=*} in
			.linux) set -- "$@" --linux "$_f" ;;
			.initrd) set -- "$@" --initrd "$_f" ;;
			.cmdline) set -- "$@" --cmdline "@$_f" ;;
			.osrel) set -- "$@" --os-release "@$_f" ;;
			.uname) set -- "$@" --uname "$(cat "$_f")" ;;
			.dtb) set -- "$@" --devicetree "$_f" ;;
			.splash) set -- "$@" --splash "$_f" ;;
			.pcrpkey) set -- "$@" --pcrpkey "$_f" ;;
			.pcrsig) set -- "$@" --pcrsig "$_f" ;;
			*) set -- "$@" --section "${_p%%=*}:@$_f" ;;
			esac
			_n=$((_n - 1))
		done
		"$_uk" build --stub "$_s" "$@" -o "$_o"
		return
	fi
	_end=$(objdump -p "$_s" | awk '/^SizeOfImage/ { print $2 }')
	_va=$(( (0x$_end + 0xfff) / 4096 * 4096 ))
	_args=""
	for _p in "$@"; do
		_n=${_p%%=*} _f=${_p#*=}
		_sz=$(wc -c <"$_f")
		_args="$_args --add-section $_n=$_f --change-section-vma $_n=$(printf '0x%x' "$_va")"
		_args="$_args --set-section-flags $_n=contents,alloc,load,readonly,data"
		_va=$(( (_va + _sz + 0xfff) / 4096 * 4096 ))
	done
	# shellcheck disable=SC2086
	objcopy $_args "$_s" "$_o"
}

uki_sbat() {
	objcopy -O binary --only-section=.sbat "$1" "$2"
}

stub_sign() {
	[ -f "$T/keys/db.key" ] || vm_snakeoil_key "$T/keys" || return 1
	_sg=$(_stub_tool igos-sign)
	if [ -n "$_sg" ]; then
		"$_sg" sign -k "$T/keys/db.key" -c "$T/keys/db.crt" -o "$2" "$1"
	else
		sbsign --key "$T/keys/db.key" --cert "$T/keys/db.crt" --output "$2" "$1" >/dev/null 2>&1
	fi
}

pcr_extend() {
	{ printf '%s' "$1" | xxd -r -p; openssl dgst -sha256 -binary; } |
		openssl dgst -sha256 -binary | xxd -p -c 64
}

pcr11_expect() {
	_p=$ZERO32
	for _a in "$@"; do
		_n=${_a%%=*} _f=${_a#*=}
		[ -s "$_f" ] || continue
		_p=$(printf '%s\0' "$_n" | pcr_extend "$_p")
		_p=$(pcr_extend "$_p" <"$_f")
	done
	echo "$_p"
}

stub_parts() {
	printf '%s' "$1" >cmdline
	printf 'ID=igos-test\nNAME="igos test"\n' >osrel
	printf '%s' "$VM_KVER" >uname
	cp "$VM_VMLINUZ" vmlinuz
	sbattach --remove vmlinuz >/dev/null 2>&1
}

stub_initrd() {
	cat >"$T/init.sh" <<-'INIT'
	#!/bin/sh
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	echo "IGOS-CMDLINE:$(cat /proc/cmdline)"
	echo "IGOS-PCR11:$(cat /sys/class/tpm/tpm0/pcr-sha256/11 2>&1)"
	echo "IGOS-PCR12:$(cat /sys/class/tpm/tpm0/pcr-sha256/12 2>&1)"
	for f in /.extra/tpm2-pcr-*; do
		[ -f "$f" ] && echo "IGOS-EXTRA-${f##*/}:$(sha256sum <"$f" | cut -d' ' -f1)"
	done
	for f in /.extra/credentials/*; do
		[ -f "$f" ] && echo "IGOS-CRED-${f##*/}:$(cat "$f")"
	done
	echo IGOS-TEST-DONE
	poweroff -f
	INIT
	vm_initrd "$1" --init "$T/init.sh"
}

serial_value() {
	tr -d '\r' <"$1" | sed -n "s/^$2://p" | head -n 1
}
