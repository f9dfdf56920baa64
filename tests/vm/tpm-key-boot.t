#!/bin/sh
# A UKI signed through a TPM-held MOK by `kernel-install add` (the hooks,
# uki.conf naming the TSS2 key file) boots under OVMF Secure Boot. The key is
# made inside the TPM by igos-mok new --tpm; its certificate for the firmware
# is issued by the snakeoil CA that is in the snakeoil vars' db, from a request
# the tpm2-openssl provider signs with the same key (the MOK's CA in db). One
# boot: firmware and loader accept the UKI, the guest sees its command line
# and Secure Boot on.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/hooks.sh"
. "$TESTLIB/tpmkey.sh"
SDBOOT=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
vm_need
need swtpm tpm2_shutdown kernel-install igos-mok igos-ukify igos-sign sbverify openssl "$SDBOOT"
[ -f /usr/lib/x86_64-linux-gnu/ossl-modules/tpm2.so ] ||
	skip_all "the tpm2-openssl provider is not installed (make deps)"
vm_kernel
plan 9
KVER=$VM_KVER

cat >init.sh <<'INIT'
#!/bin/sh
mount -t proc proc /proc
echo "IGOS-CMDLINE:$(cat /proc/cmdline)"
echo "IGOS-SB:$(dmesg | grep -o 'Secure boot enabled' | head -n 1)"
echo IGOS-TEST-DONE
poweroff -f
INIT
ok "busybox initrd built" vm_initrd initrd.img --init init.sh

# the MOK in the (host's) TPM; its certificate issued by the db's CA
tpm_fresh
run 0 "*" "igos-mok new --tpm" igos-mok new --tpm -k "$T/mok.tss2.pem" -c "$T/mok-self.crt" \
	--subject "igos test TPM MOK"
vm_snakeoil_key keys
openssl req $OSSL_TPM -new -key mok.tss2.pem -subj "/CN=igos test TPM MOK" -out mok.csr 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=codeSigning\n' >mok.ext
openssl x509 -req -in mok.csr -CA keys/db.crt -CAkey keys/db.key -set_serial 0x1f2e3d4c5b6a \
	-days 30 -sha256 -extfile mok.ext -out mok.crt 2>/dev/null
is "$(openssl x509 -in mok.crt -noout -pubkey)" "$(openssl x509 -in mok-self.crt -noout -pubkey)" \
	"the snakeoil CA certified the TPM key (request signed through the provider)"
tpm_restart

hooks_env
hooks_conf "$T/mok.tss2.pem" "$T/mok.crt"
CMDLINE="console=ttyS0 quiet igos.test=tpm-key-boot"
printf '%s\n' "$CMDLINE" >conf/cmdline
run 0 "*" "kernel-install add signs the UKI through the TPM" ki add "$KVER" "$VM_VMLINUZ" initrd.img
UKI=esp/EFI/Linux/igos-$KVER.efi
ok "it verifies with the MOK certificate (sbverify)" sbverify --cert mok.crt "$UKI"
ok "and chains to the db certificate" sbverify --cert keys/db.crt "$UKI"

igos-sign sign -k keys/db.key -c keys/db.crt -o sd-boot.efi "$SDBOOT"
vm_esp esp sd-boot.efi
vm_boot_uefi esp boot.log --secure --timeout 150
nok "Secure Boot did not refuse anything" grep -q "Access Denied" boot.log
is "$(tr -d '\r' <boot.log | sed -n 's/^IGOS-CMDLINE://p')" "$CMDLINE" \
	"the UKI signed through the TPM booted (guest /proc/cmdline)"
is "$(tr -d '\r' <boot.log | sed -n 's/^IGOS-SB://p')" "Secure boot enabled" "the guest kernel saw Secure Boot on"
