# The whole igos boot chain, built step by step in a work directory $W, for
# `make demo` (tests/demo/demo.sh) and the chain VM test (tests/vm/chain.t).
# Source tests/lib/vm.sh first (and tap.sh, or define need/skip_all/diag).
#
# chain_rootfs       $W/root.img: a small read-only squashfs root
# chain_verity       $W/root.verity + $W/roothash (igos-verity format), and
#                    $W/roothash.p7s signed with the MOK (igos-verity sign)
# chain_mok          $W/mok.key + $W/mok.crt (igos-mok new), and $W/mok-db.crt:
#                    the same key certified by OVMF's snakeoil CA, standing in
#                    for the enrolled MOK so that the firmware trusts it
# chain_pcrkey       $W/pcr.key (RSA, 0600) and $W/pcr.pub for the PCR 11 policy
# chain_initrd       $W/initrd.img: busybox, the dm-verity and squashfs modules,
#                    igos-verity, and an init that opens the root from the
#                    roothash= on the signed command line, mounts it and prints
#                    PCR 11 (markers "IGOS-CHAIN: ...")
# chain_uki OUT [ROOTHASH]   igos-ukify build (igos stub, cmdline with roothash=,
#                    .pcrpkey/.pcrsig from igos-measure), igos-sign sign with the MOK,
#                    igos-sign verify
# chain_boot UKI LOG [boot options]  boots UKI under OVMF Secure Boot with swtpm,
#                    the root image and its hash tree as vdb and vdc
# The seed's chain as it ships (the demo; tests/lib/grub.sh and shim.sh sourced too):
# chain_release      $W/release.key + $W/release.crt: the distribution's release key
#                    (a file here; a token key in a release)
# chain_grub         $W/grubx64.efi: igos-grub build for Debian's Microsoft-signed
#                    shim, signed with the release key
# chain_grub_esp UKI $W/gesp: igos-grub install (shim, MokManager, GRUB), UKI in
#                    EFI/Linux, release.cer and mok.cer at the root for MokManager
# chain_enroll LOG   first boot under OVMF with Microsoft's keys: shim refuses GRUB,
#                    MokManager enrolls release.cer and mok.cer; $W/enrolled.fd kept
# chain_boot_grub LOG  boots $W/gesp from a copy of $W/enrolled.fd with swtpm and
#                    the root disks: shim -> GRUB -> UKI
# CHAIN_SIGN_CERT, CHAIN_TRUST_CERT: the certificate chain_uki signs with and the
#                    one it verifies against (default: mok-db.crt and the snakeoil CA)

CHAIN_CMDLINE_BASE="console=ttyS0 quiet"

chain_rootfs() {
	rm -rf "$W/rootfs"
	mkdir -p "$W/rootfs/bin" "$W/rootfs/etc"
	cp /bin/busybox "$W/rootfs/bin/busybox"
	printf 'InterGenOS igos demo root, read-only, dm-verity protected\n' >"$W/rootfs/etc/igos-release"
	# padding, so the tree has more than one level and the read takes a moment
	head -c 4194304 /dev/urandom >"$W/rootfs/etc/payload"
	rm -f "$W/root.img"
	mksquashfs "$W/rootfs" "$W/root.img" -noappend -all-root -quiet -mkfs-time 0 \
		-all-time 0 >/dev/null
}

chain_verity() {
	igos-verity format "$W/root.img" "$W/root.verity" >"$W/roothash.tmp" &&
		mv "$W/roothash.tmp" "$W/roothash" &&
		igos-verity sign -k "$W/mok.key" -c "$W/mok.crt" -o "$W/roothash.p7s" "@$W/roothash"
}

chain_mok() {
	rm -f "$W/mok.key" "$W/mok.crt"
	igos-mok new -k "$W/mok.key" -c "$W/mok.crt" --subject "InterGenOS demo MOK" >/dev/null &&
		openssl req -new -key "$W/mok.key" -subj "/CN=InterGenOS demo MOK" \
			-out "$W/mok.csr" 2>/dev/null &&
		printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=codeSigning\n' \
			>"$W/mok.ext" &&
		openssl x509 -req -in "$W/mok.csr" -CA "$VM_SNAKEOIL_CRT" -CAkey "$W/snakeoil.key" \
			-set_serial 0x1905 -days 3650 -extfile "$W/mok.ext" -out "$W/mok-db.crt" \
			2>/dev/null
}

chain_snakeoil() {
	vm_snakeoil_key "$W/sb" && cp "$W/sb/db.key" "$W/snakeoil.key"
}

chain_pcrkey() {
	[ -f "$W/pcr.key" ] ||
		(umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
			-out "$W/pcr.key" 2>/dev/null) &&
		openssl pkey -in "$W/pcr.key" -pubout -out "$W/pcr.pub"
}

chain_initrd() {
	cat >"$W/init" <<'EOI'
#!/bin/sh
export PATH=@BINDIR@:/bin DM_DISABLE_UDEV=1
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
# insmod does not read module options from the kernel command line: pass dm_verity's
while read -r m; do
	[ "$m" = dm_verity ] && continue
	insmod /lib/modules/$m.ko || echo "IGOS-CHAIN: module $m failed"
done </lib/modules/order
insmod /lib/modules/dm_verity.ko $(tr ' ' '\n' </proc/cmdline | sed -n 's/^dm_verity\.//p')
echo "IGOS-CHAIN: kernel $(uname -r) started"
rh=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^roothash=//p')
# systemd's usrhash= (a verity-protected /usr) is read the same way
[ -n "$rh" ] || rh=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^usrhash=//p')
sig=
grep -q 'igos.verity_sig=1' /proc/cmdline && sig="--signature /roothash.p7s"
if igos-verity open $sig /dev/vdb root /dev/vdc "$rh"; then
	echo "IGOS-CHAIN: verity root opened with roothash $rh"
	[ -n "$sig" ] && echo "IGOS-CHAIN: root hash signature accepted by the kernel," \
		"require_signatures=$(cat /sys/module/dm_verity/parameters/require_signatures)"
	mkdir -p /newroot
	if mount -t squashfs -o ro /dev/mapper/root /newroot; then
		echo "IGOS-CHAIN: root mounted: $(cat /newroot/etc/igos-release)"
	fi
	if cat /newroot/etc/payload >/dev/null && dd if=/dev/mapper/root of=/dev/null bs=1M 2>/dev/null; then
		echo "IGOS-CHAIN: root read whole"
	else
		echo "IGOS-CHAIN: root read failed"
	fi
	echo "IGOS-CHAIN: status $(igos-verity status root 2>&1 | sed -n 's/^status: *//p')"
else
	echo "IGOS-CHAIN: verity open refused"
fi
echo "IGOS-CHAIN: PCR11=$(cat /sys/class/tpm/tpm0/pcr-sha256/11 2>/dev/null)"
echo IGOS-TEST-DONE
poweroff -f
EOI
	sed -i "s|@BINDIR@|$(dirname "$(command -v igos-verity)")|" "$W/init"
	vm_initrd "$W/initrd.img" --modules "virtio_ring virtio virtio_pci_modern_dev \
virtio_pci_legacy_dev virtio_pci virtio_blk dm-mod dm-bufio reed_solomon dm-verity squashfs" \
		--bin "$(command -v igos-verity)" --file "$W/roothash.p7s:/roothash.p7s" --init "$W/init"
}

# chain_uki OUT [ROOTHASH] [EXTRA CMDLINE]
chain_uki() {
	_out=$1 _rh=${2:-$(cat "$W/roothash")} _extra=${3:-}
	_cmd="$CHAIN_CMDLINE_BASE roothash=$_rh${_extra:+ $_extra}"
	printf 'ID=intergenos\nNAME="InterGenOS"\nVERSION_ID=1.0-dev\n' >"$W/os-release"
	igos-ukify build --stub "$IGOS_BUILD/efi/igos-stubx64.efi" --linux "$VM_VMLINUZ" \
		--initrd "$W/initrd.img" --cmdline "$_cmd" --os-release "@$W/os-release" \
		--pcr-key "$W/pcr.key" -o "$_out.unsigned" &&
		igos-sign sign -k "$W/mok.key" -c "${CHAIN_SIGN_CERT:-$W/mok-db.crt}" -o "$_out" \
			"$_out.unsigned" &&
		igos-sign verify -c "${CHAIN_TRUST_CERT:-$VM_SNAKEOIL_CRT}" "$_out" >/dev/null
}

# chain_boot UKI LOG [vm_boot_uefi options]
chain_boot() {
	_uki=$1 _log=$2; shift 2
	rm -rf "$W/esp"
	vm_esp "$W/esp" "$_uki"
	vm_boot_uefi "$W/esp" "$_log" --secure --tpm --timeout 180 \
		--disk "$W/root.img:ro" --disk "$W/root.verity:ro" "$@"
}

chain_release() {
	rm -f "$W/release.key" "$W/release.crt"
	igos-mok new -k "$W/release.key" -c "$W/release.crt" --subject "InterGenOS demo release" \
		>/dev/null
}

chain_grub() {
	igos-grub build --shim "$SHIM_DIR/shimx64.efi.signed" --timeout 0 -o - |
		igos-sign sign -k "$W/release.key" -c "$W/release.crt" -o "$W/grubx64.efi" - &&
		igos-sign verify -c "$W/release.crt" "$W/grubx64.efi" >/dev/null
}

chain_grub_esp() {
	rm -rf "$W/gesp" && mkdir -p "$W/gesp" &&
		grub_esp "$W/gesp" "$SHIM_DIR/shimx64.efi.signed" "$SHIM_DIR/mmx64.efi.signed" \
			"$W/grubx64.efi" &&
		cp "$1" "$W/gesp/EFI/Linux/intergenos-demo.efi" &&
		openssl x509 -in "$W/release.crt" -outform DER -out "$W/gesp/release.cer" &&
		openssl x509 -in "$W/mok.crt" -outform DER -out "$W/gesp/mok.cer"
}

chain_enroll() {
	rm -f "$W/enroll.fd"
	grub_mm_enroll "$W/gesp" "$W/enroll.fd" "$1" release.cer mok.cer &&
		grep -q 'Verification failed' "$1" && mv "$W/enroll.fd" "$W/enrolled.fd" &&
		rm -f "$W/gesp/release.cer" "$W/gesp/mok.cer"
}

chain_boot_grub() {
	cp "$W/enrolled.fd" "$W/vars-grub.fd" &&
		grub_boot "$W/gesp" "$W/vars-grub.fd" "$1" --tpm \
			--disk "$W/root.img:ro" --disk "$W/root.verity:ro"
}

# The value of a marker line in LOG: chain_marker LOG PREFIX
chain_marker() {
	tr -d '\r' <"$1" | sed -n "s/^.*IGOS-CHAIN: $2//p" | head -n 1
}
