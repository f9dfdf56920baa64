# tests/t/996: igos-bootcheck(1)'s examples judge a whole chain that holds, built
# as tests/t/111 builds it (tests/lib/bootcheck.sh), on /boot/efi and efivars.
. "$TESTLIB/mok.sh"
. "$TESTLIB/bootcheck.sh"
need sbsign grub-mkimage xxd
bc_chain
mkdir -p /boot/efi
mount -t tmpfs esp /boot/efi
bc_esp /boot/efi shim.signed grub.signed uki.signed
cp -a ev0/. "$EFIVARS"/
cp -r /boot/efi esp-copy
