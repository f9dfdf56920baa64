# The chain shim -> igos GRUB -> UKI for the VM tests (tests/vm/grub-chain.t,
# the demo), sourced after tap.sh, vm.sh and shim.sh (see spec/grub-chain.md).
#
# GRUB_MS_CODE, GRUB_MS_VARS
#     OVMF with Microsoft's keys in db/KEK (Secure Boot on): the firmware that
#     boots Debian's Microsoft-signed shim.
# grub_esp DIR SHIM MOKMANAGER GRUB
#     DIR laid out by igos-grub install (EFI/BOOT/BOOTX64.EFI = SHIM,
#     mmx64.efi, grubx64.efi beside it) and an empty EFI/Linux.
# grub_boot ESPDIR VARS LOG [vm_boot_uefi options]
#     vm_boot_uefi with OVMF_CODE_4M.ms.fd and that NVRAM (a copy of
#     GRUB_MS_VARS when missing), stopping on the guest's done marker, a
#     power-off or shim's refusal.
# grub_mm_enroll ESPDIR VARS LOG CER...
#     Boots through shim, which refuses the second stage; answers the error
#     and MokManager over the serial console: for each CER (a DER file at the
#     ESP's root) "Enroll key from disk", the volume, the file (found by its
#     position in the list on the screen, which is in directory order), view
#     key 0 and back, Continue, Yes; then Reboot (qemu exits: -no-reboot).
#     No password is asked on this path. Returns 0 when every step was
#     answered and qemu exited.
# grub_locked LOG ESPDIR [vm_boot_uefi options]
#     The menu and the locks of a GRUB built with --password-hash (below).
# grub_order LOG
#     The UKIs GRUB tried, in order, one a line (from its "igos: starting"
#     lines), each followed by " refused" when GRUB printed "bad shim
#     signature" for it.

GRUB_MS_CODE=/usr/share/OVMF/OVMF_CODE_4M.ms.fd
GRUB_MS_VARS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd
GRUB_STOP='IGOS-TEST-DONE|reboot: Power down|Kernel panic|Verification failed|Access Denied|no UKI on the ESP could be started'

grub_esp() {
	igos-grub install --esp "$1" --shim "$2" --mokmanager "$3" --grub "$4" &&
		mkdir -p "$1/EFI/Linux"
}

grub_boot() {
	_gb_e=$1 _gb_v=$2 _gb_l=$3; shift 3
	[ -f "$_gb_v" ] || cp "$GRUB_MS_VARS" "$_gb_v" || return 1
	VM_OVMF_CODE=$GRUB_MS_CODE vm_boot_uefi "$_gb_e" "$_gb_l" --vars "$_gb_v" --timeout 400 \
		--stop-on "$GRUB_STOP" "$@"
}

# _gm_pick LOG FROM NAME: Down as many times as NAME's place in the file list
# drawn after byte FROM, then Enter
_gm_pick() {
	_gm_list=$(tail -c +$(($2 + 1)) "$1" | screen /dev/stdin | sed 's/.*Select Key//' |
		grep -o -E '[A-Za-z0-9._-]+\.cer|[A-Za-z0-9._-]+/' | awk '!seen[$0]++')
	_gm_pos=$(printf '%s\n' "$_gm_list" | grep -n -x -F "$3" | cut -d: -f1)
	[ -n "$_gm_pos" ] || { diag "MokManager: no $3 in the list: $_gm_list"; return 1; }
	_gm_i=1
	while [ "$_gm_i" -lt "$_gm_pos" ]; do _mm_key '\033[B'; sleep 0.3; _gm_i=$((_gm_i + 1)); done
	_mm_key '\r'
}

grub_mm_enroll() {
	_gm_e=$1 _gm_v=$2 _mm_l=$3; shift 3
	[ -f "$_gm_v" ] || cp "$GRUB_MS_VARS" "$_gm_v" || return 1
	rm -f mm.fifo && mkfifo mm.fifo || return 1
	exec 3<>mm.fifo
	: >"$_mm_l"
	VM_OVMF_CODE=$GRUB_MS_CODE vm_boot_uefi "$_gm_e" "$_mm_l" --vars "$_gm_v" --timeout 400 \
		--stdin mm.fifo --stop-on 'IGOS-TEST-DONE|reboot: Power down|Kernel panic' &
	_mm_qpid=$!
	_mm_from=0 _gm_rc=1
	if _mm_wait "$_mm_l" 'Verification failed' && _mm_key '\r' &&
		_mm_wait "$_mm_l" 'Press any key to perform MOK management' && _mm_key '\r'; then
		_gm_rc=0
		for _gm_c; do
			_mm_wait "$_mm_l" 'Enroll key from disk' && _mm_key '\033[B\r' &&
				_mm_wait "$_mm_l" 'QEMU VVFAT' && _mm_key '\r' &&
				_gm_f=$_mm_from && _mm_wait "$_mm_l" "$_gm_c" &&
				_gm_pick "$_mm_l" "$_gm_f" "$_gm_c" &&
				_mm_wait "$_mm_l" 'View key 0' && _mm_key '\033[B\r' &&
				_mm_wait "$_mm_l" 'Enroll the key' && _mm_key '\033[B\r' ||
				{ _gm_rc=1; break; }
		done
		[ "$_gm_rc" = 0 ] && _mm_wait "$_mm_l" 'Reboot' && _mm_key '\r' || _gm_rc=1
	fi
	[ "$_gm_rc" = 0 ] || kill -TERM "$_mm_qpid" 2>/dev/null
	wait "$_mm_qpid"
	_gm_q=$?
	exec 3>&-
	rm -f mm.fifo
	[ "$_gm_rc" = 0 ] && [ "$_gm_q" = 0 ]
}

grub_order() {
	tr -d '\r' <"$1" | sed -n 's/.*igos: starting (hd0,msdos1)\/EFI\/Linux\/\([^ ]*\).*/\1/p; s/.*error: bad shim signature.*/refused/p' |
		awk '/^refused$/ { if (n) l[n] = l[n] " refused"; next } { l[++n] = $0 } END { for (i = 1; i <= n; i++) print l[i] }'
}

# grub_locked LOG ESPDIR [vm_boot_uefi options]: boots (snakeoil firmware)
# an ESP whose GRUB was built with a password hash and a timeout; Esc at
# "Esc for the menu", then `c' and `e' each answered with the user root and
# a wrong password (GRUB must say "access denied" both times), then Enter on
# the first menu entry. Returns 0 when every step was answered and qemu
# exited (the entry booted and powered off).
grub_locked() {
	_mm_l=$1 _gl_e=$2; shift 2
	rm -f mm.fifo && mkfifo mm.fifo || return 1
	exec 3<>mm.fifo
	: >"$_mm_l"
	vm_boot_uefi "$_gl_e" "$_mm_l" --secure --timeout 400 --stdin mm.fifo \
		--stop-on 'IGOS-TEST-DONE|reboot: Power down|Kernel panic' "$@" &
	_mm_qpid=$!
	_mm_from=0 _gl_rc=1
	if _mm_wait "$_mm_l" 'Esc for the menu' && _mm_key '\033' &&
		_mm_wait "$_mm_l" 'Power off' && _mm_key 'c' &&
		_mm_wait "$_mm_l" 'Enter username' && printf 'root\r' >&3 &&
		_mm_wait "$_mm_l" 'Enter password' && printf 'wrong\r' >&3 &&
		_mm_wait "$_mm_l" 'access denied' && sleep 2 && _mm_key 'e' &&
		_mm_wait "$_mm_l" 'Enter username' && printf 'root\r' >&3 &&
		_mm_wait "$_mm_l" 'Enter password' && printf 'wrong\r' >&3 &&
		_mm_wait "$_mm_l" 'access denied' && sleep 2 && _mm_key '\r'; then
		_gl_rc=0
	fi
	[ "$_gl_rc" = 0 ] || kill -TERM "$_mm_qpid" 2>/dev/null
	wait "$_mm_qpid"
	_gl_q=$?
	exec 3>&-
	rm -f mm.fifo
	[ "$_gl_rc" = 0 ] && [ "$_gl_q" = 0 ]
}
