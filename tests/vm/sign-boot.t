#!/bin/sh
# Under OVMF with Secure Boot on (snakeoil db), the project's marker EFI program
# signed by igos-sign: with the snakeoil key it boots, with an RSA-4096 leaf
# issued by the snakeoil CA it boots; unsigned, signed by an untrusted key, with
# one byte flipped after signing, or with a Security directory 8 bytes too long
# it is refused; signed through a pkcs11: URI with the snakeoil key held in a
# SoftHSM2 token it boots. Three boots: OVMF tries each disk in turn, logging
# the refused ones, and the first image it accepts prints IGOS-MARKER-OK and
# powers off.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/sign.sh"
vm_need
need python3 mformat mmd mcopy softhsm2-util
MARKER=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-marker.efi
[ -f "$MARKER" ] || skip_all "$MARKER not built (make all)"
plan 19

vm_snakeoil_key keys
vm_snakeoil_leaf keys leaf4096 4096
rsa_cert untrusted 2048

run 0 "" "sign with the snakeoil key" "$S" sign -k keys/db.key -c keys/db.crt -o good.efi "$MARKER"
run 0 "" "sign with an untrusted key" "$S" sign -k untrusted.key -c untrusted.crt -o untrusted.efi "$MARKER"
run 0 "" "sign with an RSA-4096 leaf of the snakeoil CA" \
	"$S" sign -k keys/leaf4096.key -c keys/leaf4096.crt -o leaf.efi "$MARKER"
cp good.efi flipped.efi
$MKPE patch flipped.efi flip $(($($MKPE get good.efi first_section) + 100))
run 1 "*" "igos-sign itself rejects the flipped image" "$S" verify -c keys/db.crt flipped.efi
cp good.efi bigdir.efi && $MKPE patch bigdir.efi secdir_size_add 8 && printf '\0\0\0\0\0\0\0\0' >>bigdir.efi

disk() { # IMG EFI: a FAT image with EFI as the default boot program
	rm -f "$1" && mformat -C -i "$1" -T 8192 -h 2 -s 16 :: && mmd -i "$1" ::/EFI ::/EFI/BOOT &&
		mcopy -i "$1" "$2" ::/EFI/BOOT/BOOTX64.EFI
}
boot_line() { # LOG PCI-SLOT: the BdsDxe line for the disk in that slot, or nothing
	tr -d '\r' <"$1" | grep -a "from PciRoot(0x0)/Pci($2,0x0)" | tail -n 1
}

# boot 1: unsigned, untrusted, flipped, then the snakeoil-signed image
vm_esp esp1 "$MARKER"
ok "FAT disk images made" sh -c '
	for d in untrusted flipped good; do
		rm -f d-$d.img && mformat -C -i d-$d.img -T 8192 -h 2 -s 16 :: &&
		mmd -i d-$d.img ::/EFI ::/EFI/BOOT && mcopy -i d-$d.img $d.efi ::/EFI/BOOT/BOOTX64.EFI || exit 1
	done'
vm_boot_uefi esp1 boot1.log --secure --stop-on 'IGOS-MARKER-OK' \
	--disk d-untrusted.img --disk d-flipped.img --disk d-good.img
case $(boot_line boot1.log 0x2) in *"Access Denied") r=0 ;; *) r=1 ;; esac
is "$r" 0 "unsigned: Access Denied"
case $(boot_line boot1.log 0x3) in *"Access Denied") r=0 ;; *) r=1 ;; esac
is "$r" 0 "signed by an untrusted key: Access Denied"
case $(boot_line boot1.log 0x4) in *"Access Denied") r=0 ;; *) r=1 ;; esac
is "$r" 0 "one byte flipped after signing: Access Denied"
case $(boot_line boot1.log 0x5) in *"starting Boot"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "signed with the snakeoil key: started"
ok "... and it ran (IGOS-MARKER-OK)" grep -aq 'IGOS-MARKER-OK' boot1.log

# boot 2: an oversized Security directory, then the RSA-4096 leaf
vm_esp esp2 bigdir.efi
disk d-leaf.img leaf.efi
vm_boot_uefi esp2 boot2.log --secure --stop-on 'IGOS-MARKER-OK' --disk d-leaf.img
case $(boot_line boot2.log 0x2) in *"Access Denied") r=0 ;; *) r=1 ;; esac
is "$r" 0 "Security directory 8 bytes too long: Access Denied"
case $(boot_line boot2.log 0x3) in *"starting Boot"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "signed with an RSA-4096 leaf of the snakeoil CA: started"
ok "... and it ran (IGOS-MARKER-OK)" grep -aq 'IGOS-MARKER-OK' boot2.log
run 1 "igos-sign: 'bigdir.efi': certificate table entry 2: dwLength 0 leaves no room for a signature (EDK2 stops its walk there and denies the image)" \
	"igos-sign verify refuses the oversized directory as the firmware does" \
	"$S" verify -c keys/db.crt bigdir.efi

# boot 3: the snakeoil key imported into a SoftHSM2 token, used through pkcs11:
mkdir -p hsm/tokens
printf 'directories.tokendir = %s/hsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$T" >hsm/softhsm2.conf
SOFTHSM2_CONF=$T/hsm/softhsm2.conf
export SOFTHSM2_CONF
openssl pkcs8 -topk8 -nocrypt -in keys/db.key -out hsm/db.p8
ok "token made with the snakeoil key imported" sh -c '
	softhsm2-util --init-token --free --label igos-vm --so-pin 12345678 --pin 123456 &&
	softhsm2-util --import hsm/db.p8 --token igos-vm --label db --id 10 --pin 123456'
rm -f hsm/db.p8
(umask 077 && echo 123456 >hsm/pin)
run 0 "" "sign through a pkcs11: URI" "$S" sign --pin-file hsm/pin \
	-k "pkcs11:token=igos-vm;object=db;type=private" -c keys/db.crt -o token.efi "$MARKER"
run 0 "" "the token-signed image verifies" "$S" verify -c keys/db.crt token.efi
vm_esp esp3 token.efi
vm_boot_uefi esp3 boot3.log --secure --stop-on 'IGOS-MARKER-OK|Access Denied'
case $(boot_line boot3.log 0x2) in *"starting Boot"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "signed on a token with the snakeoil key: started"
ok "... and it ran (IGOS-MARKER-OK)" grep -aq 'IGOS-MARKER-OK' boot3.log
done_testing
