#!/bin/sh
# igos-bootcheck against the real thing: the chain of spec/grub-chain.md under
# OVMF Secure Boot (snakeoil db): Debian's shim 16.1 with our vendor
# certificate (and vendor dbx) built in, signed with the snakeoil key -> a GRUB
# image from grub-mkimage signed with the vendor key -> a UKI of the igos stub
# whose .linux is the marker program (IGOS-MARKER-OK, then power off). One link
# broken at a time; each case is booted and the component that refuses in the
# VM (firmware: "Access Denied"; shim: "Verification failed"/SBAT before GRUB
# runs; GRUB: its loop ends without starting the UKI) must be the one
# igos-bootcheck names first, case for case. A table goes to the output.
# Then the good chain once more with a real kernel whose initrd copies the
# guest's /sys/firmware/efi/efivars to a disk: igos-bootcheck reads that copy.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/mok.sh"
. "$TESTLIB/bootcheck.sh"
SHIM_DIR=/usr/lib/shim
vm_need
need igos-bootcheck igos-sign igos-ukify grub-mkimage python3 xxd openssl sbsign tar \
	"$SHIM_DIR/shimx64.efi" "$BC_MARKER" "$BC_STUB"

bc_keys || { echo "Bail out! keys"; exit 1; }
sbat() { printf '%s\ngrub,%s,Free Software Foundation,grub,2.06,https://www.gnu.org/software/grub/\n' "$SBAT_HDR" "$1"; }
sbat 5 >grub5.csv
sbat 4 >grub4.csv
{ bc_shim shim.efi keys/vendor.der && bc_sign db shim.signed shim.efi &&
	bc_grub grub.efi grub5.csv && bc_sign vendor grub.signed grub.efi &&
	bc_uki uki.efi && bc_sign db uki.signed uki.efi && bc_vars ev; } ||
	{ echo "Bail out! chain"; exit 1; }
# the snakeoil VARS: Secure Boot on, snakeoil PK/KEK/db, no dbx, no MOK; shim
# sets SbatLevel (its "previous" level) at its first start
UKI=EFI/Linux/igos.efi

# each case: NAME, then a command that breaks a copy of the good ESP in $1
case_good() { :; }
case_f_unsigned() { cp shim.efi "$1/EFI/BOOT/BOOTX64.EFI"; }
case_f_other() { bc_sign other "$1/EFI/BOOT/BOOTX64.EFI" shim.efi; }
case_f_tampered() { bc_tamper "$1/EFI/BOOT/BOOTX64.EFI"; }
case_f_junk() { printf 'junk' >>"$1/EFI/BOOT/BOOTX64.EFI"; }
case_f_ec() { bc_sign ec "$1/EFI/BOOT/BOOTX64.EFI" shim.efi; }
case_s_unsigned() { cp grub.efi "$1/EFI/BOOT/grubx64.efi"; }
case_s_other() { bc_sign other "$1/EFI/BOOT/grubx64.efi" grub.efi; }
case_s_tampered() { bc_tamper "$1/EFI/BOOT/grubx64.efi"; }
case_s_sbat4() { bc_grub g4.efi grub4.csv && bc_sign vendor "$1/EFI/BOOT/grubx64.efi" g4.efi; }
case_s_nosbat() {
	bc_nosbat grub.efi gn.efi && bc_sign vendor "$1/EFI/BOOT/grubx64.efi" gn.efi
}
case_s_vdbx_hash() {
	esl_sha256 "$(igos-sign hash grub.signed)" >vdbx.esl &&
		bc_shim vshim.efi keys/vendor.der vdbx.esl && bc_sign db "$1/EFI/BOOT/BOOTX64.EFI" vshim.efi
}
case_s_vdbx_cert() {
	esl_x509 keys/vendor.der >vdbx2.esl &&
		bc_shim vshim2.efi keys/vendor.der vdbx2.esl && bc_sign db "$1/EFI/BOOT/BOOTX64.EFI" vshim2.efi
}
case_s_ec() { bc_sign ec "$1/EFI/BOOT/grubx64.efi" grub.efi; }
case_u_unsigned() { cp uki.efi "$1/$UKI"; }
case_u_other() { bc_sign other "$1/$UKI" uki.efi; }
case_u_tampered() { bc_tamper "$1/$UKI"; }
case_u_vendor_dbx() {
	esl_sha256 "$(igos-sign hash uki.signed)" >vdbx3.esl &&
		bc_shim vshim3.efi keys/vendor.der vdbx3.esl && bc_sign db "$1/EFI/BOOT/BOOTX64.EFI" vshim3.efi
}
case_u_sbat() {
	sbat 4 >u4.csv && bc_uki u4.efi --sbat @u4.csv && bc_sign db "$1/$UKI" u4.efi
}
case_u_ec() { bc_sign ec "$1/$UKI" uki.efi; }
CASES="good f_unsigned f_other f_tampered f_junk f_ec s_unsigned s_other s_tampered s_sbat4
s_nosbat s_vdbx_hash s_vdbx_cert s_ec u_unsigned u_other u_tampered u_vendor_dbx u_sbat u_ec"
n=0
for c in $CASES; do n=$((n + 1)); done
plan $((n + 5))

# vm_component LOG: who refused in the VM, or "passes"
vm_component() {
	_l=$(tr -d '\r' <"$1" | sed 's/\x1b\[[0-9;?=]*[A-Za-z]//g')
	# OVMF denies the boot option ("Access Denied") and goes on to its
	# shell, which Secure Boot stops too ("Security Violation"): shim never ran
	if printf '%s' "$_l" | grep -q 'IGOS-MARKER-OK'; then echo passes
	elif printf '%s' "$_l" | grep -q 'IGOS-GRUB-START'; then echo GRUB
	elif printf '%s' "$_l" | grep -q 'Access Denied'; then echo firmware
	elif printf '%s' "$_l" | grep -q 'Verification failed\|SBAT'; then echo shim
	else echo "nothing"
	fi
}
# bc_component ESP: who refuses first according to igos-bootcheck
bc_component() {
	_o=$(igos-bootcheck --esp "$1" --efivars ev --json 2>/dev/null)
	printf '%s' "$_o" | python3 -c 'import json,sys
d=json.load(sys.stdin)
i=d["refusing_link"]
print("passes" if i is None else d["links"][i]["judge"])'
}

STOP='IGOS-MARKER-OK|Access Denied|Verification failed|IGOS-GRUB-END|SBAT|Security Violation|No bootable'
table="case               VM         igos-bootcheck"
for c in $CASES; do
	rm -rf "esp-$c" && bc_esp "esp-$c" shim.signed grub.signed && cp uki.signed "esp-$c/$UKI" &&
		"case_$c" "esp-$c" || { _tap_result 1 "$c: cannot build the case"; continue; }
	want=$(bc_component "esp-$c")
	rm -f vars.fd && cp "$VM_OVMF_VARS_SECURE" vars.fd
	vm_boot_uefi "esp-$c" "boot-$c.log" --secure --vars vars.fd --timeout 180 --stop-on "$STOP" >/dev/null
	got=$(vm_component "boot-$c.log")
	table="$table
$(printf '%-18s %-10s %s' "$c" "$got" "$want")"
	is "$got" "$want" "$c: the VM's $got, igos-bootcheck's $want"
	[ "$got" = "$want" ] || tr -d '\r' <"boot-$c.log" | tail -n 15 | diag "$(cat)"
done
diag "$table"

# ---- the good chain with a kernel: the guest's efivars copied to a disk ----
vm_kernel
cat >init.sh <<'INIT'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev
vm-load-modules
mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
[ -b /dev/vdb ] && cd /sys/firmware/efi/efivars && tar cf /dev/vdb . && echo IGOS-EFIVARS-COPIED
sync
echo IGOS-TEST-DONE
poweroff -f
INIT
efimod=$(find "$VM_MODDIR" -name 'efivarfs.ko*' | head -n 1)
mods="virtio_pci virtio_blk"
[ -n "$efimod" ] && mods="$mods efivarfs"
vm_initrd initrd.img --modules "$mods" --init init.sh ||
	{ echo "Bail out! initrd"; exit 1; }
BC_CMDLINE="console=ttyS0 quiet panic=-1" igos-ukify build --stub "$BC_STUB" --linux "$VM_VMLINUZ" \
	--initrd initrd.img --cmdline "console=ttyS0 quiet panic=-1" --os-release "ID=igos" -o kuki.efi &&
	bc_sign db kuki.signed kuki.efi || { echo "Bail out! kernel UKI"; exit 1; }
bc_esp esp-k shim.signed grub.signed && cp kuki.signed esp-k/EFI/Linux/linux.efi
head -c 4194304 /dev/zero >efivars.tar
rm -f vars.fd && cp "$VM_OVMF_VARS_SECURE" vars.fd
vm_boot_uefi esp-k boot-k.log --secure --vars vars.fd --timeout 300 --disk efivars.tar >/dev/null
ok "a kernel UKI boots through shim and GRUB and copies the guest's efivars" \
	grep -q IGOS-EFIVARS-COPIED boot-k.log
mkdir -p guest-ev && tar xf efivars.tar -C guest-ev 2>/dev/null
ok "the copy holds SecureBoot and MokListRT" sh -c \
	"ls guest-ev | grep -q '^SecureBoot-8be4df61' && ls guest-ev | grep -q '^MokListRT-605dab50'"
run 0 "" "igos-bootcheck on the guest's own efivars: the chain passes" \
	igos-bootcheck --esp esp-k --efivars guest-ev -v
printf '%s\n' "$OUT" | diag "$(cat)"
is "$(printf '%s\n' "$OUT" | grep -c '^secure boot: on$\|^sbat level: SbatLevel in NVRAM\|^boot entry: Boot0002 .UEFI Misc Device. -> EFI/BOOT/BOOTX64.EFI$')" 3 \
	"... it reads Secure Boot on, the SbatLevel shim wrote, the entry booted (past the empty DVD drive)"
is "$(printf '%s\n' "$OUT" | grep -c "trusted by shim's vendor certificate")" 1 \
	"... GRUB trusted by the vendor certificate shim mirrored into MokListRT"
done_testing
