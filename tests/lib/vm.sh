# qemu boot harness for the VM tests (tests/vm/*.t). Source it after tap.sh:
#   . "${0%/*}/../lib/tap.sh"; . "$TESTLIB/vm.sh"
# What it gives (see spec/vm-tests.md for why each piece is as it is):
#
# vm_need
#     skip_all unless qemu, OVMF, busybox-static, cpio are installed.
# vm_kernel
#     Makes sure Debian's cloud kernel (linux-image-6.1.0-N-cloud-amd64, N from
#     `apt-cache depends linux-image-cloud-amd64`) is unpacked under
#     ${IGOS_CACHE:-$HOME/.cache/igos-tests}/kernel/, and sets VM_VMLINUZ (the
#     bzImage), VM_KVER and VM_MODDIR (its lib/modules/<kver>). Safe when several
#     tests run it at once (flock; unpacked into a temp dir, then renamed).
#     When no kernel can be had it calls skip_all: call it before plan.
# vm_headers
#     After vm_kernel: Debian's linux-headers-<kver> and the -common package it
#     depends on, unpacked under $VM_CACHE/kernel/headers-<kver>/ (same
#     locking); sets VM_HEADERS_USR, their usr/, and VM_HEADERS=/usr/src/
#     linux-headers-<kver>. The headers name /usr/src/...-common and
#     ../../lib/linux-kbuild-6.1 (the installed one, make deps): a test sees
#     them where they belong in a mount namespace, /usr overlaid with
#     VM_HEADERS_USR as its upper lower layer (tests/lib/dkms.sh). skip_all
#     when they cannot be had.
# vm_initrd OUT [--modules "m1 m2 ..."] [--bin /path]... [--file SRC:DST]... --init SCRIPT
#     Writes OUT, a gzip newc cpio: busybox-static as /bin/busybox with a link
#     per applet in /bin, SCRIPT as /init, the named kernel modules of VM_MODDIR
#     and the modules they depend on as /lib/modules/<name>.ko (names with '_'
#     or '-' alike), listed deps-first in /lib/modules/order, and loaded in that
#     order by `/bin/vm-load-modules` (call it from the init script); each --bin
#     at its own path with the shared libraries ldd lists; each --file SRC copied
#     to DST. Needs vm_kernel first when --modules is used.
# vm_boot_uefi ESPDIR LOG [--secure|--insecure] [--vars FILE] [--tpm] [--timeout S]
#              [--stop-on REGEX] [--disk IMG[:ro]]... [--stdin FIFO] [--smbios SPEC]...
#              [--monitor SOCK]
#     Boots OVMF (OVMF_CODE_4M.secboot.fd) with ESPDIR as a FAT disk
#     (fat:rw:ESPDIR, the guest's /dev/vda; EFI/BOOT/BOOTX64.EFI boots by
#     default, see vm_esp) and each --disk after it (vdb, vdc, ...). When
#     ESPDIR is a file it is that disk, raw (a GPT image: vm_esp_image).
#     --secure (default): a copy of OVMF_VARS_4M.snakeoil.fd, Secure Boot on with
#     the snakeoil key in PK/KEK/db; --insecure: OVMF_VARS_4M.fd (setup mode,
#     Secure Boot off). --vars FILE: use FILE as the persistent NVRAM (created
#     from the --secure/--insecure template when missing), so a test can boot
#     again with the variables kept. --tpm: a TPM 2.0 from swtpm, state in
#     $VM_TPMSTATE (a temp dir made and exported when unset: keep it to reuse the
#     TPM in a later boot); swtpm is started and stopped here. The serial console
#     goes to LOG. qemu runs under `timeout` (--timeout, default $VM_TIMEOUT:
#     240 s, or $IGOS_VM_TIMEOUT; a loaded 2-core host is slow) and is
#     stopped as soon as LOG matches REGEX (grep -E; default
#     "Access Denied|IGOS-TEST-DONE|Kernel panic|reboot: Power down").
#     --stdin FIFO feeds qemu's stdin from FIFO (keystrokes for MokManager).
#     --smbios SPEC is qemu's -smbios SPEC (type=1,manufacturer=X,...; no blanks
#     in SPEC): the SMBIOS tables OVMF publishes.
#     --monitor SOCK: qemu's human monitor on the unix socket SOCK (a server,
#     no wait), e.g. for `screendump` of the screen of q35's default VGA,
#     which OVMF's graphics output drives (see vm_screendump).
#     Returns 0 when qemu exited by itself with 0 or was stopped on REGEX
#     (VM_STOPPED then holds the matching line), 124 on timeout, else qemu's
#     status; on anything but 0 the log's tail is printed with diag. Tests grep
#     LOG for what they expect.
# vm_screendump SOCK PPM
#     Writes the guest's screen as PPM (P6) through the monitor of a running
#     vm_boot_uefi --monitor SOCK; returns when qemu's screendump command
#     has answered (0 when PPM was written).
# vm_boot_kernel VMLINUZ INITRD CMDLINE LOG [--disk IMG[:ro]]... [--timeout S] [--stop-on REGEX]
#     Direct kernel boot (SeaBIOS, no OVMF) for tests where firmware is not the
#     point. "console=ttyS0 panic=-1" is put before CMDLINE unless it names a
#     console=. Disks are vda, vdb, ... Same stop/return rules as vm_boot_uefi.
# vm_esp ESPDIR EFIFILE
#     Makes ESPDIR/EFI/BOOT and copies EFIFILE to BOOTX64.EFI there.
# vm_esp_image IMG ESPDIR UUID
#     IMG: a 64 MiB GPT disk whose one partition (an ESP, partition UUID
#     UUID, from 1 MiB) holds a FAT copy of ESPDIR; the firmware then gives
#     the partition a HD(1,GPT,UUID) device path node, which fat:rw: disks
#     (an MBR) do not have.
# vm_snakeoil_key DIR
#     DIR/db.key (plain PEM, 0600) and DIR/db.crt: OVMF's snakeoil key, which is
#     in the snakeoil vars' db (and PK, KEK).
# vm_snakeoil_leaf DIR NAME BITS
#     DIR/NAME.key (0600) and DIR/NAME.crt: an RSA-BITS leaf issued by the
#     snakeoil CA (images signed with it verify under the snakeoil vars).
#
# qemu: -machine q35,smm=on -accel tcg -cpu max -m 1024 -nographic -no-reboot
# -nic none (KVM here has no SMM, so Secure Boot runs under TCG). TCG is slow:
# boot with `quiet`, keep the number of boots per test small.

VM_CACHE=${IGOS_CACHE:-$HOME/.cache/igos-tests}
VM_OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
VM_OVMF_VARS_SECURE=/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd
VM_OVMF_VARS_SETUP=/usr/share/OVMF/OVMF_VARS_4M.fd
VM_SNAKEOIL_KEY=/usr/share/ovmf/PkKek-1-snakeoil.key
VM_SNAKEOIL_CRT=/usr/share/ovmf/PkKek-1-snakeoil.pem
VM_TIMEOUT=${IGOS_VM_TIMEOUT:-240}
VM_STOP_DEFAULT='Access Denied|IGOS-TEST-DONE|Kernel panic|reboot: Power down'

vm_need() {
	need qemu-system-x86_64 timeout cpio gzip openssl objcopy flock apt-get dpkg-deb /bin/busybox
	for _f in "$VM_OVMF_CODE" "$VM_OVMF_VARS_SECURE" "$VM_OVMF_VARS_SETUP" \
		"$VM_SNAKEOIL_KEY" "$VM_SNAKEOIL_CRT"; do
		[ -f "$_f" ] || skip_all "$_f missing (make deps: ovmf)"
	done
}

# ---- kernel -------------------------------------------------------------

_vm_kernel_set() { # DIR
	for _f in "$1"/boot/vmlinuz-*; do VM_VMLINUZ=$_f; done
	[ -f "${VM_VMLINUZ:-}" ] || return 1
	VM_KVER=${VM_VMLINUZ##*/vmlinuz-}
	VM_MODDIR=$1/lib/modules/$VM_KVER
	[ -d "$VM_MODDIR" ] || return 1
	export VM_VMLINUZ VM_KVER VM_MODDIR
}

_vm_kernel_fetch() { # PKG DIR
	_tmp=$(mktemp -d "$VM_CACHE/kernel/.tmp.XXXXXX") || return 1
	if ! (cd "$_tmp" && apt-get download "$1" >apt.log 2>&1); then
		diag "apt-get download $1 failed:"; tail -n 5 "$_tmp/apt.log" | diag "$(cat)"
		rm -rf "$_tmp"; return 1
	fi
	if ! dpkg-deb -x "$_tmp"/*.deb "$_tmp/root"; then
		rm -rf "$_tmp"; return 1
	fi
	rm -rf "$2"
	mv "$_tmp/root" "$2" && rm -rf "$_tmp"
}

vm_kernel() {
	mkdir -p "$VM_CACHE/kernel" || skip_all "cannot create $VM_CACHE"
	_pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
	if [ -z "$_pkg" ]; then
		# No package lists: use whatever kernel is cached already.
		for _d in "$VM_CACHE"/kernel/linux-image-*; do
			[ -d "$_d" ] && _pkg=${_d##*/}
		done
		[ -n "$_pkg" ] || skip_all "no package lists for linux-image-cloud-amd64 (apt-get update)"
	fi
	_dir=$VM_CACHE/kernel/$_pkg
	if ! _vm_kernel_set "$_dir"; then
		exec 9>"$VM_CACHE/kernel/.lock"
		flock 9
		_vm_kernel_set "$_dir" || _vm_kernel_fetch "$_pkg" "$_dir"
		exec 9>&-
		_vm_kernel_set "$_dir" || skip_all "cannot get $_pkg"
	fi
}

_vm_headers_set() { # DIR
	VM_HEADERS_USR=$1/usr
	VM_HEADERS=/usr/src/linux-headers-$VM_KVER
	[ -f "$1$VM_HEADERS/.config" ] && [ -L "$1$VM_HEADERS/scripts" ] || return 1
	export VM_HEADERS VM_HEADERS_USR
}

_vm_headers_fetch() { # DIR
	_common=$(apt-cache depends "linux-headers-$VM_KVER" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-headers-.*-common\)$/\1/p' | head -n 1)
	[ -n "$_common" ] || { diag "no package lists for linux-headers-$VM_KVER"; return 1; }
	_tmp=$(mktemp -d "$VM_CACHE/kernel/.tmp.XXXXXX") || return 1
	if ! (cd "$_tmp" && apt-get download "linux-headers-$VM_KVER" "$_common" >apt.log 2>&1); then
		diag "apt-get download linux-headers-$VM_KVER $_common failed:"
		tail -n 5 "$_tmp/apt.log" | diag "$(cat)"
		rm -rf "$_tmp"; return 1
	fi
	for _d in "$_tmp"/*.deb; do
		dpkg-deb -x "$_d" "$_tmp/root" || { rm -rf "$_tmp"; return 1; }
	done
	rm -rf "$1"
	mv "$_tmp/root" "$1" && rm -rf "$_tmp"
}

vm_headers() {
	_hdir=$VM_CACHE/kernel/headers-$VM_KVER
	if ! _vm_headers_set "$_hdir"; then
		exec 9>"$VM_CACHE/kernel/.lock"
		flock 9
		_vm_headers_set "$_hdir" || _vm_headers_fetch "$_hdir"
		exec 9>&-
		_vm_headers_set "$_hdir" || skip_all "cannot get linux-headers-$VM_KVER (or linux-kbuild-6.1: make deps)"
	fi
}

# ---- initrd -------------------------------------------------------------

_vm_mod_path() { # NAME -> path of NAME.ko under VM_MODDIR (either of - and _)
	_n1=$(printf '%s' "$1" | tr _ -)
	_n2=$(printf '%s' "$1" | tr - _)
	find "$VM_MODDIR" \( -name "$_n1.ko" -o -name "$_n2.ko" -o -name "$_n1.ko.xz" \
		-o -name "$_n2.ko.xz" -o -name "$_n1.ko.zst" -o -name "$_n2.ko.zst" \) | head -n 1
}

# A subshell: sh has no local variables and this recurses (the state is the
# order file).
_vm_mod_add() ( # NAME STAGE: add NAME after its dependencies
	_p=$(_vm_mod_path "$1")
	[ -n "$_p" ] || { diag "vm_initrd: no module $1 in $VM_MODDIR"; return 1; }
	_b=${_p##*/}; _b=${_b%%.ko*}
	_b=$(printf '%s' "$_b" | tr - _)
	grep -qx "$_b" "$2/lib/modules/order" 2>/dev/null && return 0
	case $_p in
	*.xz) xz -dc "$_p" >"$2/lib/modules/$_b.ko" ;;
	*.zst) zstd -qdc "$_p" >"$2/lib/modules/$_b.ko" ;;
	*) cp "$_p" "$2/lib/modules/$_b.ko" ;;
	esac || return 1
	# objcopy writes its output through a temporary file renamed over the
	# name given: never /dev/stdout (run by root with stdout a file, the
	# rename replaces the /dev/stdout link itself)
	objcopy -O binary --only-section=.modinfo "$2/lib/modules/$_b.ko" "$2/modinfo.tmp" || return 1
	_deps=$(tr '\0' '\n' <"$2/modinfo.tmp" | sed -n 's/^depends=//p' | tr , ' ')
	rm -f "$2/modinfo.tmp"
	for _dep in $_deps; do
		_vm_mod_add "$_dep" "$2" || return 1
	done
	echo "$_b" >>"$2/lib/modules/order"
)

_vm_copy_bin() { # PATH STAGE
	[ -f "$1" ] || { diag "vm_initrd: no file $1"; return 1; }
	mkdir -p "$2${1%/*}" && cp -L "$1" "$2$1" || return 1
	for _l in $(ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		[ -f "$2$_l" ] && continue
		mkdir -p "$2${_l%/*}" && cp -L "$_l" "$2$_l" || return 1
	done
}

vm_initrd() {
	_out=$1; shift
	_st=$(mktemp -d "$T/initrd.XXXXXX") || return 1
	mkdir -p "$_st/bin" "$_st/sbin" "$_st/dev" "$_st/proc" "$_st/sys" "$_st/tmp" \
		"$_st/run" "$_st/etc" "$_st/mnt" "$_st/lib/modules" || return 1
	cp /bin/busybox "$_st/bin/busybox" || return 1
	for _a in $(/bin/busybox --list); do
		[ "$_a" = busybox ] || ln -s busybox "$_st/bin/$_a"
	done
	: >"$_st/lib/modules/order"
	_init=""
	while [ $# -gt 0 ]; do
		case $1 in
		--modules)
			for _m in $2; do _vm_mod_add "$_m" "$_st" || return 1; done; shift 2 ;;
		--bin)
			_vm_copy_bin "$2" "$_st" || return 1; shift 2 ;;
		--file)
			_src=${2%%:*} _dst=${2#*:}
			mkdir -p "$_st${_dst%/*}" && cp "$_src" "$_st$_dst" || return 1; shift 2 ;;
		--init)
			_init=$2; shift 2 ;;
		*)
			diag "vm_initrd: unknown option $1"; return 1 ;;
		esac
	done
	[ -n "$_init" ] || { diag "vm_initrd: --init SCRIPT is required"; return 1; }
	cp "$_init" "$_st/init" && chmod 755 "$_st/init" || return 1
	cat >"$_st/bin/vm-load-modules" <<-'EOF'
	#!/bin/sh
	# Load the initrd's modules, dependencies first.
	while read -r m; do insmod "/lib/modules/$m.ko" || echo "vm-load-modules: $m failed"; done </lib/modules/order
	EOF
	chmod 755 "$_st/bin/vm-load-modules"
	(cd "$_st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -n -1 >"$_out" ||
		{ diag "vm_initrd: cannot write $_out"; return 1; }
	rm -rf "$_st"
}

# ---- qemu ---------------------------------------------------------------

# _vm_run LOG TIMEOUT REGEX STDIN qemu-args...: run qemu in the background,
# poll LOG, stop it on REGEX.
_vm_run() {
	_log=$1 _to=$2 _re=$3 _in=$4; shift 4
	: >"$_log"
	VM_STOPPED=""
	timeout -k 5 "$_to" "$@" <"$_in" >>"$_log" 2>&1 &
	_qpid=$!
	while kill -0 "$_qpid" 2>/dev/null; do
		if _m=$(tr -d '\r' <"$_log" | grep -a -E -m 1 "$_re"); then
			VM_STOPPED=$_m
			# Let the guest finish the line it is printing, then stop it.
			sleep 1
			kill -TERM "$_qpid" 2>/dev/null
			break
		fi
		sleep 0.5
	done
	wait "$_qpid"
	_rc=$?
	if [ -z "$VM_STOPPED" ] && _m=$(tr -d '\r' <"$_log" | grep -a -E -m 1 "$_re"); then
		VM_STOPPED=$_m
	fi
	if [ -n "$VM_STOPPED" ] && [ "$_rc" -ne 124 ]; then _rc=0; fi
	if [ "$_rc" -ne 0 ]; then
		diag "qemu status $_rc$([ "$_rc" -eq 124 ] && echo " (timeout after $_to s)"); log tail:"
		tail -n 25 "$_log" | tr -d '\r' | diag "$(cat)"
	fi
	return "$_rc"
}

_vm_disk_args() { # IMG[:ro] -> -drive args in $_vm_drives
	case $1 in
	*:ro) _vm_drives="$_vm_drives -drive file=${1%:ro},format=raw,if=virtio,readonly=on" ;;
	*) _vm_drives="$_vm_drives -drive file=$1,format=raw,if=virtio" ;;
	esac
}

_vm_tpm_stop() {
	[ -n "${_vm_swtpm_pid:-}" ] && kill "$_vm_swtpm_pid" 2>/dev/null && wait "$_vm_swtpm_pid" 2>/dev/null
	_vm_swtpm_pid=""
}

vm_boot_uefi() {
	_esp=$1 _ulog=$2; shift 2
	_vars_tpl=$VM_OVMF_VARS_SECURE _vars="" _tpm=0 _uto=$VM_TIMEOUT _ure=$VM_STOP_DEFAULT _uin=/dev/null
	_vm_drives="" _vm_smbios="" _vm_mon=""
	while [ $# -gt 0 ]; do
		case $1 in
		--secure) _vars_tpl=$VM_OVMF_VARS_SECURE; shift ;;
		--insecure) _vars_tpl=$VM_OVMF_VARS_SETUP; shift ;;
		--vars) _vars=$2; shift 2 ;;
		--tpm) _tpm=1; shift ;;
		--timeout) _uto=$2; shift 2 ;;
		--stop-on) _ure=$2; shift 2 ;;
		--disk) _vm_disk_args "$2"; shift 2 ;;
		--stdin) _uin=$2; shift 2 ;;
		--smbios) _vm_smbios="$_vm_smbios -smbios $2"; shift 2 ;;
		--monitor) _vm_mon="-monitor unix:$2,server,nowait"; shift 2 ;;
		*) diag "vm_boot_uefi: unknown option $1"; return 2 ;;
		esac
	done
	if [ -z "$_vars" ]; then
		_vars=$(mktemp "$T/vars.XXXXXX") || return 1
		cp "$_vars_tpl" "$_vars" || return 1
	elif [ ! -f "$_vars" ]; then
		cp "$_vars_tpl" "$_vars" || return 1
	fi
	_tpmargs=""
	if [ "$_tpm" = 1 ]; then
		command -v swtpm >/dev/null || { diag "vm_boot_uefi: swtpm not installed"; return 1; }
		if [ -z "${VM_TPMSTATE:-}" ]; then
			# Short path: a unix socket name is limited to 108 bytes.
			VM_TPMSTATE=$(mktemp -d /tmp/igos-tpm.XXXXXX) || return 1
		fi
		export VM_TPMSTATE
		mkdir -p "$VM_TPMSTATE"
		rm -f "$VM_TPMSTATE/sock"
		swtpm socket --tpmstate dir="$VM_TPMSTATE" --ctrl type=unixio,path="$VM_TPMSTATE/sock" \
			--tpm2 --flags startup-clear >"$VM_TPMSTATE/swtpm.log" 2>&1 &
		_vm_swtpm_pid=$!
		_i=0
		while [ ! -S "$VM_TPMSTATE/sock" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
		[ -S "$VM_TPMSTATE/sock" ] || { diag "swtpm did not start"; _vm_tpm_stop; return 1; }
		_tpmargs="-chardev socket,id=chrtpm,path=$VM_TPMSTATE/sock -tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-tis,tpmdev=tpm0"
	fi
	# shellcheck disable=SC2086 # _vm_drives, _tpmargs, _vm_smbios and _vm_mon are word lists
	_vm_run "$_ulog" "$_uto" "$_ure" "$_uin" qemu-system-x86_64 \
		-machine q35,smm=on -accel tcg -cpu max -m 1024 -nographic -no-reboot -nic none \
		-global driver=cfi.pflash01,property=secure,value=on \
		-drive if=pflash,format=raw,unit=0,file="$VM_OVMF_CODE",readonly=on \
		-drive if=pflash,format=raw,unit=1,file="$_vars" \
		-drive file="$([ -f "$_esp" ] || printf fat:rw:)$_esp",format=raw,if=virtio \
		$_vm_drives $_tpmargs $_vm_smbios $_vm_mon
	_urc=$?
	_vm_tpm_stop
	return $_urc
}

vm_screendump() { # SOCK PPM
	python3 - "$1" "$2" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_UNIX)
	s.settimeout(60)
	s.connect(sys.argv[1])
	def prompt():
	    b = b""
	    while not b.endswith(b"(qemu) "):
	        c = s.recv(4096)
	        if not c:
	            sys.exit(1)
	        b += c
	    return b
	prompt()
	s.sendall(b"screendump " + sys.argv[2].encode() + b"\n")
	out = prompt()
	sys.exit(1 if b"rror" in out else 0)
	EOF
	[ -s "$2" ]
}

vm_boot_kernel() {
	_kk=$1 _ki=$2 _kc=$3 _klog=$4; shift 4
	_kto=$VM_TIMEOUT _kre=$VM_STOP_DEFAULT
	_vm_drives=""
	while [ $# -gt 0 ]; do
		case $1 in
		--disk) _vm_disk_args "$2"; shift 2 ;;
		--timeout) _kto=$2; shift 2 ;;
		--stop-on) _kre=$2; shift 2 ;;
		*) diag "vm_boot_kernel: unknown option $1"; return 2 ;;
		esac
	done
	case " $_kc" in *" console="*) ;; *) _kc="console=ttyS0 panic=-1 $_kc" ;; esac
	# shellcheck disable=SC2086
	_vm_run "$_klog" "$_kto" "$_kre" /dev/null qemu-system-x86_64 \
		-machine q35 -accel tcg -cpu max -m 1024 -nographic -no-reboot -nic none \
		-kernel "$_kk" -initrd "$_ki" -append "$_kc" $_vm_drives
}

vm_esp() {
	mkdir -p "$1/EFI/BOOT" && cp "$2" "$1/EFI/BOOT/BOOTX64.EFI"
}

vm_esp_image() { # IMG ESPDIR UUID
	case $1 in /*) _img=$1 ;; *) _img=$PWD/$1 ;; esac
	rm -f "$1" && truncate -s 64M "$1" || return 1
	printf 'label: gpt\nstart=2048, size=126976, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=%s\n' \
		"$3" | sfdisk -q "$1" >/dev/null 2>&1 || { diag "vm_esp_image: sfdisk failed"; return 1; }
	mkfs.vfat -F 32 --offset 2048 "$1" 63488 >/dev/null 2>&1 ||
		{ diag "vm_esp_image: mkfs.vfat failed"; return 1; }
	(cd "$2" && for _e in *; do
		MTOOLS_SKIP_CHECK=1 mcopy -s -i "$_img@@1M" "$_e" ::/ || exit 1
	done) || { diag "vm_esp_image: mcopy failed"; return 1; }
}

# ---- keys ---------------------------------------------------------------

vm_snakeoil_key() {
	mkdir -p "$1" || return 1
	(umask 077 && openssl rsa -in "$VM_SNAKEOIL_KEY" -passin pass:snakeoil \
		-out "$1/db.key" 2>/dev/null) || { diag "cannot decrypt $VM_SNAKEOIL_KEY"; return 1; }
	chmod 600 "$1/db.key"
	cp "$VM_SNAKEOIL_CRT" "$1/db.crt"
}

vm_snakeoil_leaf() { # DIR NAME BITS
	[ -f "$1/db.key" ] || vm_snakeoil_key "$1" || return 1
	(umask 077 && openssl req -new -newkey "rsa:$3" -nodes -keyout "$1/$2.key" \
		-subj "/CN=igos test $2" -out "$1/$2.csr" 2>/dev/null) || return 1
	chmod 600 "$1/$2.key"
	printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=codeSigning\n' \
		>"$1/$2.ext"
	openssl x509 -req -in "$1/$2.csr" -CA "$1/db.crt" -CAkey "$1/db.key" -set_serial "0x$(openssl rand -hex 8)" \
		-days 3650 -sha256 -extfile "$1/$2.ext" -out "$1/$2.crt" 2>/dev/null || return 1
	rm -f "$1/$2.csr" "$1/$2.ext"
}
