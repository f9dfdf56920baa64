# Shared by the kernel-install hook tests (tests/t/9x-hooks-*.t, tests/vm/hooks-*.t),
# sourced after tap.sh (and vm.sh for vm_kernel). Debian's real /usr/bin/kernel-install
# runs the hooks of this tree against a fake root under $T:
#   $T/esp    the ESP (BOOT_ROOT)           $T/conf  KERNEL_INSTALL_CONF_ROOT
# hooks_env      exports BOOT_ROOT, MACHINE_ID, ENTRY_TOKEN (igos), KERNEL_INSTALL_CONF_ROOT
#                and KERNEL_INSTALL_PLUGINS (the two hooks, plus $HOOKS_EXTRA before them)
# hooks_mok NAME writes $T/NAME.key (0600) and $T/NAME.crt: a self-signed RSA-2048 MOK
# hooks_conf KEY CERT [STUB]  writes $T/conf/uki.conf with those settings
# ki ARGS...     kernel-install ARGS... (PATH has the hooks' tools)
# hooks_stop_sync  writes $T/wrap/sync, mv: stop on the installer's file on the ESP
# UKI            $T/esp/EFI/Linux/igos-$KVER.efi
HOOKS=$IGOS_SRC/hooks
STUB_EFI=$IGOS_BUILD/efi/igos-stubx64.efi
MID=0123456789abcdef0123456789abcdef
HOOKS_EXTRA=

hooks_env() {
	mkdir -p "$T/esp" "$T/conf"
	BOOT_ROOT=$T/esp MACHINE_ID=$MID ENTRY_TOKEN=igos KERNEL_INSTALL_CONF_ROOT=$T/conf
	KERNEL_INSTALL_PLUGINS="$HOOKS_EXTRA $HOOKS/60-igos-ukify.install $HOOKS/90-igos-uki.install"
	export BOOT_ROOT MACHINE_ID ENTRY_TOKEN KERNEL_INSTALL_CONF_ROOT KERNEL_INSTALL_PLUGINS
}

hooks_mok() {
	(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/$1.key" \
		-out "$T/$1.crt" -subj "/CN=igos test MOK $1" -days 30 -sha256 \
		-addext extendedKeyUsage=codeSigning 2>/dev/null)
}

hooks_conf() {
	printf '[UKI]\nStub = %s\nSecureBootPrivateKey = %s\nSecureBootCertificate = %s\n' \
		"${3:-$STUB_EFI}" "$1" "$2" >"$T/conf/uki.conf"
}

ki() { kernel-install "$@"; }

# hooks_stop_sync: $T/wrap/sync and $T/wrap/mv, for PATH=$T/wrap:$PATH, are a
# sync(1) and an mv(1) that stop (sleep 120) when the installer syncs or renames
# its file on the ESP (the copy it verifies, or the image 60-igos-ukify.install
# verified as it wrote it: there the installer only renames), after writing
# their own pid to $T/syncpid and the installer's to $T/hookpid; T is exported.
hooks_stop_sync() {
	mkdir -p "$T/wrap"
	cat >"$T/wrap/sync" <<'W'
#!/bin/sh
real=/bin/${0##*/}
for a in "$@"; do
	case $a in
	*/.igos-*) ;;
	*) continue ;;
	esac
	echo $$ >"$T/syncpid"
	# the installer: the topmost ancestor running 90-igos-uki.install (its
	# subshell that runs this is a fork with the same command line)
	p=$PPID h=
	while [ "$p" -gt 1 ] && tr '\0' ' ' <"/proc/$p/cmdline" | grep -q 90-igos-uki.install; do
		h=$p
		p=$(ps -o ppid= -p "$p" | tr -d ' ')
	done
	[ -n "$h" ] || break
	echo "$h" >"$T/hookpid.tmp" && /bin/mv "$T/hookpid.tmp" "$T/hookpid"
	exec sleep 120
done
exec "$real" "$@"
W
	chmod +x "$T/wrap/sync"
	ln -sf sync "$T/wrap/mv"
	export T
}

# last_err LINE DESC: after `run`, the last line of stderr is exactly LINE (the
# tools' own lines, and igos-ukify's notes on the uki.conf settings it leaves to
# igos-sign, come before it).
last_err() { is "$(printf '%s\n' "$ERR" | tail -n 1)" "$1" "$2"; }
