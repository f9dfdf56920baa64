# shim in the loop for the VM tests (tests/vm/shim-chain.t), sourced after
# tap.sh and vm.sh (see spec/vm-tests.md, "shim in the loop" and "MokManager
# over the serial console").
#
# shim_esp DIR SIGNKEY SIGNCERT SECONDSTAGE
#     DIR/EFI/BOOT/BOOTX64.EFI: Debian's shim-unsigned shimx64.efi, and
#     mmx64.efi (MokManager) beside it, both signed by igos-sign with
#     SIGNKEY/SIGNCERT (the snakeoil key standing in for Microsoft's
#     signature); SECONDSTAGE copied as grubx64.efi, what shim starts.
# shim_boot ESPDIR VARS LOG [vm_boot_uefi options]
#     vm_boot_uefi with that NVRAM, stopping on the guest's done marker, a
#     power-off, or shim's refusal ("Verification failed").
# mm_drive ESPDIR VARS LOG enroll|delete PASSWORD [SUBJECT]
#     Boots through shim with a pending MokNew (enroll) or MokDel (delete)
#     request and answers MokManager on the serial console: any key, the
#     request in the main menu, [with SUBJECT: "View key 0", SUBJECT must be
#     on the key's screen, any key back,] Continue, Yes, the password, Reboot
#     (qemu then exits: -no-reboot). Each keystroke is sent
#     after the text it answers appears in LOG (ANSI escapes stripped, only
#     output after the previous answer counts); a step that does not come
#     within MM_STEP_TIMEOUT seconds fails with the screen's tail. Returns 0
#     when every step was answered and qemu exited.
# mm_requests ESPDIR VARS LOG STEP...
#     Boots through shim with requests pending (written by a booted guest) and
#     answers MokManager for each STEP, in the order of its menu (each answered
#     request leaves the menu, so the next is again the first below "Reboot"):
#       keys:N   a key request of N entries with a password (Enroll/Delete
#                MOK or MOKX): the request, Continue below the N "View key"
#                lines, Yes, $MM_PW;
#       chars    a toggle (Change Secure Boot state, Change MOK List Trusted
#                State): the request, the three characters of $MM_TPW that
#                MokManager asks for by position, Yes.
#     Then Reboot. The firmware is $MM_CODE (default VM_OVMF_CODE); VARS must
#     exist. Returns 0 when every step was answered and qemu exited.
# screen LOG
#     LOG without ANSI escapes, carriage returns, other control or non-ASCII
#     bytes and runs of spaces.

SHIM_DIR=/usr/lib/shim
MM_STEP_TIMEOUT=${MM_STEP_TIMEOUT:-300}
SHIM_STOP='IGOS-TEST-DONE|reboot: Power down|Kernel panic|Verification failed|Access Denied'

shim_esp() {
	_se_d=$1 _se_k=$2 _se_c=$3 _se_s=$4
	mkdir -p "$_se_d/EFI/BOOT" || return 1
	igos-sign sign -k "$_se_k" -c "$_se_c" -o "$_se_d/EFI/BOOT/BOOTX64.EFI" "$SHIM_DIR/shimx64.efi" &&
		igos-sign sign -k "$_se_k" -c "$_se_c" -o "$_se_d/EFI/BOOT/mmx64.efi" "$SHIM_DIR/mmx64.efi" &&
		cp "$_se_s" "$_se_d/EFI/BOOT/grubx64.efi"
}

shim_boot() {
	_sb_e=$1 _sb_v=$2 _sb_l=$3; shift 3
	vm_boot_uefi "$_sb_e" "$_sb_l" --secure --vars "$_sb_v" --timeout 300 --stop-on "$SHIM_STOP" "$@"
}

screen() {
	sed 's/\x1b\[[0-9;?=]*[A-Za-z]//g; s/\x1b[()][A-Z0-9]//g' "$1" | tr -cd '\11\12\40-\176' | tr -s ' '
}

# _mm_wait LOG REGEX: wait for REGEX in LOG after byte $_mm_from; on a match
# move _mm_from to the end of what was read (its screen text in _mm_seen)
_mm_wait() {
	_mm_w=0
	while [ "$_mm_w" -lt $((MM_STEP_TIMEOUT * 2)) ]; do
		_mm_sz=$(wc -c <"$1")
		_mm_seen=$(tail -c +$((_mm_from + 1)) "$1" | head -c $((_mm_sz - _mm_from)) | screen /dev/stdin)
		if printf '%s\n' "$_mm_seen" | grep -q -E "$2"; then
			_mm_from=$_mm_sz
			sleep 1 # let the screen finish drawing and the UI wait for a key
			return 0
		fi
		kill -0 "$_mm_qpid" 2>/dev/null || break
		sleep 0.5
		_mm_w=$((_mm_w + 1))
	done
	diag "MokManager: no '$2' on the screen; its tail:"
	screen "$1" | fold -w 150 | tail -n 20 | diag "$(cat)"
	return 1
}

_mm_key() { printf '%b' "$1" >&3; }

# with a subject: open key 0, wait for it, back to the list (cursor on key 0)
_mm_view() {
	[ -n "$_mm_subj" ] || return 0
	_mm_key '\r' && _mm_wait "$_mm_l" "$_mm_subj" && _mm_key '\r' &&
		_mm_wait "$_mm_l" 'Continue'
}

mm_drive() {
	_mm_e=$1 _mm_v=$2 _mm_l=$3 _mm_what=$4 _mm_pw=$5 _mm_subj=${6:-}
	case $_mm_what in
	enroll) _mm_item='Enroll MOK' _mm_ask='Enroll the key' ;;
	delete) _mm_item='Delete MOK' _mm_ask='Delete the key' ;;
	*) diag "mm_drive: enroll or delete"; return 2 ;;
	esac
	rm -f mm.fifo && mkfifo mm.fifo || return 1
	exec 3<>mm.fifo
	: >"$_mm_l"
	vm_boot_uefi "$_mm_e" "$_mm_l" --secure --vars "$_mm_v" --timeout 300 --stdin mm.fifo \
		--stop-on 'IGOS-TEST-DONE|reboot: Power down|Kernel panic|Verification failed' &
	_mm_qpid=$!
	_mm_from=0 _mm_rc=1
	# Down moves from "Continue boot" to the request and from "No" to "Yes"
	_mm_down='\033[B'
	if _mm_wait "$_mm_l" 'Press any key to perform MOK management' && _mm_key '\r' &&
		_mm_wait "$_mm_l" "$_mm_item" && _mm_key "$_mm_down\\r" &&
		_mm_wait "$_mm_l" 'View key 0' && _mm_view &&
		_mm_key "$_mm_down\\r" &&
		_mm_wait "$_mm_l" "$_mm_ask" && _mm_key "$_mm_down\\r" &&
		_mm_wait "$_mm_l" 'Password' && printf '%s\r' "$_mm_pw" >&3 &&
		_mm_wait "$_mm_l" 'Reboot' && _mm_key '\r'; then
		_mm_rc=0
	fi
	[ "$_mm_rc" = 0 ] || kill -TERM "$_mm_qpid" 2>/dev/null
	wait "$_mm_qpid"
	_mm_q=$?
	exec 3>&-
	rm -f mm.fifo
	[ "$_mm_rc" = 0 ] && [ "$_mm_q" = 0 ]
}

# _mm_char: the character of $MM_TPW at the position MokManager asked for
_mm_char() {
	_mm_pos=$(printf '%s\n' "$_mm_seen" | grep -o 'password character [0-9]*' | tail -n 1 | sed 's/.* //')
	[ -n "$_mm_pos" ] || return 1
	printf '%s\r' "$(printf '%s' "$MM_TPW" | cut -c "$_mm_pos")" >&3
}

mm_requests() {
	_mm_e=$1 _mm_v=$2 _mm_l=$3; shift 3
	[ -f "$_mm_v" ] || { diag "mm_requests: no $_mm_v"; return 1; }
	rm -f mm.fifo && mkfifo mm.fifo || return 1
	exec 3<>mm.fifo
	: >"$_mm_l"
	VM_OVMF_CODE=${MM_CODE:-$VM_OVMF_CODE} vm_boot_uefi "$_mm_e" "$_mm_l" --vars "$_mm_v" \
		--timeout 400 --stdin mm.fifo --stop-on 'IGOS-TEST-DONE|reboot: Power down|Kernel panic' &
	_mm_qpid=$!
	_mm_from=0 _mm_rc=1
	_mm_down='\033[B'
	if _mm_wait "$_mm_l" 'Press any key to perform MOK management' && _mm_key '\r' &&
		_mm_wait "$_mm_l" 'Perform MOK management'; then
		_mm_rc=0
		for _mm_s; do
			_mm_key "$_mm_down\\r"
			case $_mm_s in
			keys:*)
				_mm_n=${_mm_s#keys:}
				_mm_wait "$_mm_l" 'View key 0' || { _mm_rc=1; break; }
				while [ "$_mm_n" -gt 0 ]; do _mm_key "$_mm_down"; sleep 0.3; _mm_n=$((_mm_n - 1)); done
				_mm_key '\r' && _mm_wait "$_mm_l" '(Enroll|Delete) the key' &&
					_mm_key "$_mm_down\\r" && _mm_wait "$_mm_l" 'Password' &&
					printf '%s\r' "$MM_PW" >&3 || { _mm_rc=1; break; }
				;;
			chars)
				_mm_wait "$_mm_l" 'password character [0-9]' && _mm_char &&
					_mm_wait "$_mm_l" 'password character [0-9]' && _mm_char &&
					_mm_wait "$_mm_l" 'password character [0-9]' && _mm_char &&
					_mm_wait "$_mm_l" 'Disable Secure Boot|Enable Secure Boot|trust the MOK list|Trust the MOK list' &&
					_mm_key "$_mm_down\\r" || { _mm_rc=1; break; }
				;;
			*) diag "mm_requests: unknown step $_mm_s"; _mm_rc=1; break ;;
			esac
			_mm_wait "$_mm_l" 'Reboot' || { _mm_rc=1; break; }
		done
		[ "$_mm_rc" = 0 ] && _mm_key '\r' || _mm_rc=1
	fi
	[ "$_mm_rc" = 0 ] || kill -TERM "$_mm_qpid" 2>/dev/null
	wait "$_mm_qpid"
	_mm_q=$?
	exec 3>&-
	rm -f mm.fifo
	[ "$_mm_rc" = 0 ] && [ "$_mm_q" = 0 ]
}
