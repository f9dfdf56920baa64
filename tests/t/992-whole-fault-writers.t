#!/bin/sh
# Fault injection into every command that writes: the N-th write, pwrite,
# copy_file_range, fsync, fchmod, ftruncate, rename, renameat(2), linkat or
# close fails with ENOSPC, EIO or EROFS for every N, and FAULT_KILLS (100)
# runs per command are SIGKILLed at a random call or byte. Afterwards the
# target is the old file or the complete new one (the new one as the
# command's own verify accepts it), and no temporary file is left.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/fault.sh"
need openssl igos-sign igos-ukify igos-verity igos-mok igos-measure igos-index-sign \
	igos-index-verify igos-sbom "$FI"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
[ -f "$STUB" ] || skip_all "no systemd stub (make deps)"

openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=fault \
	-days 30 2>/dev/null && chmod 600 k.pem
mkdir w

# igos-sign sign, in place: old = the unsigned stub, new = the signed one
cp "$STUB" unsigned.efi
ok "reference signature" igos-sign sign -k k.pem -c c.pem -o signed.efi unsigned.efi
ok "igos-sign verify accepts the reference" igos-sign verify -c c.pem signed.efi
f_prep() { cp unsigned.efi w/img.efi; }
f_state() { if cmp -s w/img.efi unsigned.efi; then echo old; elif cmp -s w/img.efi signed.efi; then echo new; else echo "different"; fi; }
fault_suite "igos-sign sign" w igos-sign sign -k k.pem -c c.pem w/img.efi

# A single output file OUT in w/: old = "old", new = the reference REF.
one_out() { # OUT REF
	F_OUT=$1 F_REF=$2
	f_prep() { f_prep_extra; printf 'old' >"$F_OUT"; }
	f_state() {
		if [ "$(cat "$F_OUT" 2>/dev/null)" = old ]; then echo old
		elif cmp -s "$F_OUT" "$F_REF"; then echo new
		else echo "different from the reference"; fi
	}
}
f_prep_extra() { :; }

# igos-sign remove, to another file that exists
ok "reference removal" igos-sign remove --all -o removed.efi signed.efi
one_out w/out.efi removed.efi
fault_suite "igos-sign remove" w igos-sign remove --all -o w/out.efi signed.efi

# igos-ukify build: a small kernel and initrd; the reference verified by igos-sign
. "$TESTLIB/ukify.sh"
mkkernel vmlinuz 6.1.0-fault 200000
head -c 100000 /dev/urandom >initrd
ok "reference UKI" igos-ukify build --linux vmlinuz --initrd initrd --cmdline 'console=ttyS0' \
	--stub "$STUB" -o uki.efi
ok "reference UKI signed and verified" sh -c 'igos-sign sign -k k.pem -c c.pem -o uki-s.efi uki.efi &&
	igos-sign verify -c c.pem uki-s.efi'
one_out w/uki.efi uki.efi
fault_suite "igos-ukify build" w igos-ukify build --linux vmlinuz --initrd initrd \
	--cmdline 'console=ttyS0' --stub "$STUB" -o w/uki.efi

# igos-verity format to a separate hash file (atomic), and its verify
head -c 262144 /dev/urandom >data
V="--salt 0011223344556677 --uuid 12345678-1234-1234-1234-123456789abc"
# shellcheck disable=SC2086
ok "reference tree" sh -c "igos-verity format $V data hash.ref >vf.out"
R=$(cat vf.out)
ok "igos-verity verify accepts the reference tree" igos-verity verify data hash.ref "$R"
one_out w/hash hash.ref
# shellcheck disable=SC2086
fault_suite "igos-verity format" w igos-verity format $V data w/hash

# igos-verity format in place (tree after the data in the same file): written
# in place as veritysetup does; an interrupted run leaves a tree verify rejects
head -c 262144 data >img.ref
# shellcheck disable=SC2086
ok "reference in-place tree" sh -c "igos-verity format $V --hash-offset 262144 img.ref img.ref >vi.out"
RI=$(cat vi.out)
f_prep() { head -c 262144 data >w/img; }
f_state() {
	if cmp -s w/img img.ref; then echo new
	elif ! igos-verity verify --hash-offset 262144 w/img w/img "$RI" >/dev/null 2>&1; then echo old
	else echo "accepted by verify but not the reference"; fi
}
# (a failure after the last tree block went out leaves the complete tree)
F_FAILNEW_OK=1
# shellcheck disable=SC2086
fault_suite "igos-verity format (in place)" w igos-verity format $V --hash-offset 262144 w/img w/img

F_FAILNEW_OK=
# igos-verity sign
ok "reference root hash signature" igos-verity sign -k k.pem -c c.pem -o root.p7s "$R"
printf %s "$R" >rh
p7ok() { openssl smime -verify -binary -inform der -in "$1" -content rh -certfile c.pem -CAfile c.pem \
	-purpose any -out /dev/null 2>/dev/null; }
ok "the signature verifies (openssl smime)" p7ok root.p7s
f_prep_extra() { :; }
f_prep() { printf 'old' >w/root.p7s; }
f_state() {
	if [ "$(cat w/root.p7s)" = old ]; then echo old
	elif p7ok w/root.p7s; then echo new
	else echo "not a valid signature"; fi
}
fault_suite "igos-verity sign" w igos-verity sign -k k.pem -c c.pem -o w/root.p7s "$R"

# igos-mok new: a key (0600, exclusive) and its certificate; never a key without its cert
f_prep() { rm -f w/mok.key w/mok.crt; }
f_state() {
	if [ ! -e w/mok.key ] && [ ! -e w/mok.crt ]; then echo old
	elif [ -e w/mok.key ] && [ -e w/mok.crt ] &&
		[ "$(openssl pkey -in w/mok.key -pubout 2>/dev/null)" = \
		  "$(openssl x509 -in w/mok.crt -pubkey -noout 2>/dev/null)" ] &&
		[ "$(stat -c %a w/mok.key)" = 600 ]; then echo new
	elif [ ! -e w/mok.key ] && [ -e w/mok.crt ]; then echo "cert only"
	else echo "a key without its cert, or a bad pair"; fi
}
# a kill between the two renames leaves the certificate (public) without a key
F_KILL_OK="cert only"
fault_suite "igos-mok new" w igos-mok new -k w/mok.key -c w/mok.crt --subject 'CN=fault MOK'

F_KILL_OK=
# igos-mok import into an efivars directory (MokNew, then MokAuth)
printf 'fault-password\n' >pw && chmod 600 pw
mkdir ev.ref
ok "reference import" igos-mok --efivars ev.ref import --password-file pw c.pem
f_prep() { rm -rf w/ev; mkdir w/ev; }
f_state() {
	if [ -z "$(ls w/ev)" ]; then echo old
	elif [ "$(ls w/ev)" = "$(ls ev.ref)" ] && cmp -s w/ev/MokNew-* ev.ref/MokNew-* &&
		igos-mok --efivars w/ev pending >/dev/null 2>&1; then echo new
	else echo "$(ls w/ev | cut -d- -f1 | tr '\n' ' ')only"; fi
}
# MokNew, then MokAuth: a kill between the two leaves a request without its
# password (counted and reported; two variables cannot change atomically)
F_KILL_OK="MokNew only"
fault_suite "igos-mok import" w igos-mok --efivars w/ev import --password-file pw c.pem

F_KILL_OK=
# igos-measure sign
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.pem 2>/dev/null
openssl pkey -in pcr.pem -pubout -out pcr.pub
ok "reference .pcrsig" igos-measure sign -k pcr.pem --linux vmlinuz --initrd initrd -o pcrsig.ref
ok "igos-measure verify accepts it" igos-measure verify -P pcr.pub pcrsig.ref --linux vmlinuz --initrd initrd
one_out w/pcrsig pcrsig.ref
fault_suite "igos-measure sign" w igos-measure sign -k pcr.pem --linux vmlinuz --initrd initrd -o w/pcrsig

# the index: build, certify, sign (Ed25519: deterministic), verify's state
for k in master sub; do openssl genpkey -algorithm ed25519 -out $k.pem 2>/dev/null; chmod 600 $k.pem; done
openssl pkey -in sub.pem -pubout -out sub.pub
mkdir trust && openssl pkey -in master.pem -pubout -out trust/master.pub
i=1; while [ $i -le 40 ]; do head -c $((i * 100)) /dev/urandom >p-$i.pkg.tar.zst; i=$((i + 1)); done
ok "reference index" igos-index-sign build -o index.ref p-*.pkg.tar.zst
one_out w/index index.ref
fault_suite "igos-index-sign build" w igos-index-sign build -o w/index p-*.pkg.tar.zst
CERT="--master-key master.pem --subkey sub.pub --serial 3 --scope 'core x86_64' --not-after 2030-01-01T00:00:00Z --not-before 2026-01-01T00:00:00Z"
ok "reference certificate" sh -c "igos-index-sign certify $CERT -o cert.ref"
one_out w/cert cert.ref
fault_suite "igos-index-sign certify" w igos-index-sign certify --master-key master.pem --subkey sub.pub \
	--serial 3 --scope 'core x86_64' --not-after 2030-01-01T00:00:00Z --not-before 2026-01-01T00:00:00Z -o w/cert
SIGN="--key sub.pem --cert cert.ref --repo core --arch x86_64 --now 2026-06-01T00:00:00Z --expires 7d"
# shellcheck disable=SC2086
ok "reference signatures (versions 6 and 7)" sh -c "igos-index-sign sign $SIGN --version 6 -o sig6 index.ref &&
	igos-index-sign sign $SIGN --version 7 -o sig7 index.ref"
f_prep() { rm -f w/sig; }
f_state() { if [ ! -e w/sig ]; then echo old; elif cmp -s w/sig sig7; then echo new; else echo different; fi; }
# shellcheck disable=SC2086
fault_suite "igos-index-sign sign" w igos-index-sign sign $SIGN --version 7 -o w/sig index.ref
. "$TESTLIB/index.sh"
idx_state st.old core 0 0
mkdir st.new
NOW="--now 2026-06-02T00:00:00Z"
# shellcheck disable=SC2086
ok "reference states: version 6 accepted, then 7" sh -c "igos-index-verify verify --trust trust --state st.old \
	--repo core --arch x86_64 $NOW index.ref sig6 >/dev/null && cp -r st.old/. st.new/ &&
	igos-index-verify verify --trust trust --state st.new --repo core --arch x86_64 $NOW index.ref sig7 >/dev/null"
f_prep() { rm -rf w/st; mkdir w/st; cp st.old/core.state w/st/; }
f_state() {
	if cmp -s w/st/core.state st.old/core.state; then echo old
	elif cmp -s w/st/core.state st.new/core.state; then echo new
	else echo "state neither old nor new"; fi
}
# shellcheck disable=SC2086
fault_suite "igos-index-verify verify (state)" w igos-index-verify verify --trust trust --state w/st \
	--repo core --arch x86_64 $NOW index.ref sig7
idx_state seed core
f_prep() { rm -rf w/seed; mkdir w/seed; }
f_state() {
	if [ ! -e w/seed/core.state ]; then echo old
	elif cmp -s w/seed/core.state seed/core.state; then echo new
	else echo "a state that is not the seed"; fi
}
fault_suite "igos-index-verify init" w igos-index-verify init --state w/seed --repo core

# igos-sbom
SB="--name shim --package-version 16.1 --license BSD-2-Clause-Patent --created 2023-11-14T22:13:20Z --artifact $STUB --source vmlinuz=https://example.org/vmlinuz"
# shellcheck disable=SC2086
ok "reference SBOM" igos-sbom $SB -o sbom.ref
one_out w/sbom.json sbom.ref
# shellcheck disable=SC2086
fault_suite "igos-sbom" w igos-sbom $SB -o w/sbom.json

# outputs written in place (igos(7), Outputs): the shim counts the device's
# calls too (FAULT_DEVICES=1). A null device as igos-sign's output stays that
# device whatever fails; a block device holding igos-verity's hash tree ends
# with the whole tree or one verify rejects.
if [ "$(id -u)" = 0 ]; then
	F_FAILNEW_OK=1 F_KILL_OK=
	f_prep() { [ -c w/null ] || mknod w/null c 1 3; }
	f_state() { if [ "$(stat -c '%F %t:%T' w/null)" = "character special file 1:3" ]; then
		echo new; else echo "no longer the null device: $(stat -c %F w/null)"; fi; }
	fault_suite "igos-sign sign -o a character device" w env FAULT_DEVICES=1 \
		igos-sign sign -k k.pem -c c.pem -o w/null unsigned.efi
	rm -f w/null
	head -c 1048576 /dev/zero >loop.img
	if LOOP=$(losetup -f --show loop.img 2>/dev/null) && [ -b "$LOOP" ]; then
		trap 'losetup -d "$LOOP"; _tap_cleanup' EXIT
		mknod w/hashdev b "$(printf %d 0x"$(stat -c %t "$LOOP")")" "$(printf %d 0x"$(stat -c %T "$LOOP")")"
		HL=$(stat -c %s hash.ref)
		f_prep() { dd if=/dev/zero of=w/hashdev bs=64k count=16 conv=fsync 2>/dev/null; }
		f_state() {
			if [ "$(stat -c %F w/hashdev)" != "block special file" ]; then echo "not a device"
			elif cmp -s -n "$HL" w/hashdev hash.ref; then echo new
			elif ! igos-verity verify data w/hashdev "$R" >/dev/null 2>&1; then echo old
			else echo "accepted by verify but not the reference"; fi
		}
		# shellcheck disable=SC2086
		fault_suite "igos-verity format onto a block device" w env FAULT_DEVICES=1 \
			igos-verity format $V data w/hashdev
		rm -f w/hashdev
		losetup -d "$LOOP" && trap _tap_cleanup EXIT
	else
		skip "no loop device here (losetup failed)" "igos-verity format onto a block device"
	fi
	F_FAILNEW_OK=
else
	skip "needs root for mknod" "igos-sign sign -o a character device"
	skip "needs root for mknod" "igos-verity format onto a block device"
fi

done_testing
