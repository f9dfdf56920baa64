#!/bin/sh
# The rules of `igos-sign verify`, each shown against the components that judge
# an image at boot. Images made from the igos stub (it has the .sbat section
# shim requires) break one rule each; a small EFI program (igos-judge.efi)
# calls LoadImage on every one of them and prints the status, without starting
# any. Two boots under OVMF Secure Boot with the snakeoil db:
#   1. igos-judge.efi as the boot program: OVMF's DxeImageVerificationLib
#      judges (LoadImage returns Access Denied or Success);
#   2. shim 16.1 (signed with the snakeoil key) starting igos-judge.efi as its
#      second stage: shim replaces LoadImage with its own loader, which
#      verifies with its rules (Security Policy Violation or Invalid
#      Parameter, after an alert box that waits for a key: Enter is fed on the
#      serial console).
# For each image: the firmware's and shim's verdicts are the ones expected,
# and `igos-sign verify -c <snakeoil cert>` refuses it when either refuses
# (never laxer), accepts it when both accept, except for the rules where igos
# is stricter on purpose (listed in igos-sign(1)). The agreement table is
# printed as TAP comments.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/sign.sh"
. "$TESTLIB/shim.sh"
vm_need
need python3 osslsigncode mkfifo "$SHIM_DIR/shimx64.efi" "$SHIM_DIR/mmx64.efi"
STUB=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-stubx64.efi
JUDGE=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-judge.efi
[ -f "$STUB" ] && [ -f "$JUDGE" ] || skip_all "$STUB or $JUDGE not built (make all)"

# name  OVMF  shim  igos  (A accept, R refuse; igos S = refuses, stricter on purpose)
CASES='good A A A
unsigned R R R
empty-first R A R
empty-last R R R
unpadded R A R
size-plus-8 R R R
junk-after R R R
long-length R R R
ecdsa R R R
rsa1024 A A S
rsa4096 A A A
rsa8192 A A S
sha1 A R R
sha384 A R R
sha512 A R R
x509-first A A S
guid-type A R R
revision-0100 A A S
untrusted-and-good A A A
garbage-and-good A A A
osslsigncode A A A'
plan $(($(printf "%s\n" "$CASES" | wc -l) * 3 + 5))

vm_snakeoil_key keys
for b in 1024 4096 8192; do vm_snakeoil_leaf keys r$b $b; done
# an ECDSA P-256 leaf of the snakeoil CA
(umask 077 && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout keys/ec.key -subj "/CN=igos test ec" -out keys/ec.csr 2>/dev/null)
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n' >keys/ec.ext
openssl x509 -req -in keys/ec.csr -CA keys/db.crt -CAkey keys/db.key -set_serial 0x1234 \
	-days 3650 -sha256 -extfile keys/ec.ext -out keys/ec.crt 2>/dev/null
rsa_cert untrusted 2048

J=judge
mkdir -p $J
sign() { "$S" sign -k "keys/$1.key" -c "keys/$1.crt" -o "$2" "${3:-$STUB}"; }
ossl() { # KEY CERT HASH OUT
	osslsigncode sign -key "$1" -certs "$2" -h "$3" -in "$STUB" -out "$4" >/dev/null
}
mk() { # NAME: make $J/NAME.efi
	_o=$J/$1.efi
	case $1 in
	good) sign db "$_o" ;;
	unsigned) cp "$STUB" "$_o" ;;
	empty-first) sign db "$_o" && $MKPE patch "$_o" insert_entry 1,8,0x200,2 ;;
	empty-last) sign db "$_o" && $MKPE patch "$_o" insert_entry 2,8,0x200,2 ;;
	unpadded) sign db "$_o" && $MKPE patch "$_o" unpad ;;
	size-plus-8) sign db "$_o" && $MKPE patch "$_o" secdir_size_add 8 &&
		printf '\0\0\0\0\0\0\0\0' >>"$_o" ;;
	junk-after) sign db "$_o" && printf 'igosjunk' >>"$_o" ;;
	long-length) sign db "$_o" && $MKPE patch "$_o" p7_long_len ;;
	ecdsa) ossl keys/ec.key keys/ec.crt sha256 "$_o" ;;
	rsa*) ossl keys/r${1#rsa}.key keys/r${1#rsa}.crt sha256 "$_o" ;;
	sha*) ossl keys/db.key keys/db.crt "$1" "$_o" ;;
	x509-first) sign db "$_o" && $MKPE patch "$_o" insert_entry 1,16,0x200,1 ;;
	guid-type) sign db "$_o" && $MKPE patch "$_o" to_guid ;;
	revision-0100) sign db "$_o" && $MKPE patch "$_o" cert_rev 0x0100 ;;
	untrusted-and-good) "$S" sign -k untrusted.key -c untrusted.crt -o u.efi "$STUB" &&
		sign db "$_o" u.efi ;;
	garbage-and-good) "$S" sign -k untrusted.key -c untrusted.crt -o u.efi "$STUB" &&
		sign db "$_o" u.efi && $MKPE patch "$_o" garbage_pkcs7 ;;
	osslsigncode) ossl keys/db.key keys/db.crt sha256 "$_o" ;;
	*) return 1 ;;
	esac
}
: >judge.txt
made=0
while read -r n rest; do
	mk "$n" || { diag "cannot make $n"; continue; }
	echo "$n.efi" >>judge.txt
	made=$((made + 1))
done <<EOF
$CASES
EOF
is "$made" "$(printf '%s\n' "$CASES" | wc -l)" "every image is made"

# boot 1: OVMF judges
mkdir -p esp1/EFI/BOOT
sign db esp1/EFI/BOOT/BOOTX64.EFI "$JUDGE"
cp -r $J judge.txt esp1/
t0=$(date +%s)
vm_boot_uefi esp1 ovmf.log --secure --stop-on 'IGOS-JUDGE-DONE'
ok "OVMF boot: the judge ran through the list" grep -aq 'IGOS-JUDGE-DONE' ovmf.log

# boot 2: shim judges (Enter answers each of its alert boxes)
mkdir -p esp2/EFI/BOOT
sign db esp2/EFI/BOOT/BOOTX64.EFI "$SHIM_DIR/shimx64.efi"
sign db esp2/EFI/BOOT/mmx64.efi "$SHIM_DIR/mmx64.efi"
sign db esp2/EFI/BOOT/grubx64.efi "$JUDGE"
cp -r $J judge.txt esp2/
mkfifo keys.fifo
(while :; do printf '\r'; sleep 0.5; done >keys.fifo) 2>/dev/null &
feeder=$!
vm_boot_uefi esp2 shim.log --secure --stop-on 'IGOS-JUDGE-DONE' --stdin keys.fifo
kill "$feeder" 2>/dev/null
wait "$feeder" 2>/dev/null
ok "shim boot: the judge ran through the list" grep -aq 'IGOS-JUDGE-DONE' shim.log
diag "two boots: $(($(date +%s) - t0)) s"
shim_judged() { screen shim.log | grep -q 'Verification failed'; }
ok "shim judged (its loader replaced LoadImage and refused some)" shim_judged

verdict() { # LOG NAME -> A, R or ? (the judge's line missing)
	_l=$(screen "$1" | grep -a -o "igos-judge: $2\\.efi: [A-Za-z ]*" | tail -n 1)
	case $_l in
	*": Success") echo A ;;
	# OVMF: Access Denied; shim: Security Policy Violation (not in db or
	# MokList, or a digest it does not compute), Invalid Parameter (a table it
	# cannot walk). Anything else (Not Found, Load Error) is a fault of the test.
	*": Access Denied" | *": Security Policy Violation" | *": Invalid Parameter") echo R ;;
	*) echo "?" ;;
	esac
}
status() { screen "$1" | grep -a -o "igos-judge: $2\\.efi: [A-Za-z ]*" | tail -n 1 | sed 's/.*: //'; }

table="case | OVMF | shim | igos-sign verify"
agree=0 total=0
while read -r n efw esh eig; do
	fw=$(verdict ovmf.log "$n") sh=$(verdict shim.log "$n")
	if "$S" verify -c keys/db.crt "$J/$n.efi" >/dev/null 2>err; then ig=A why=verified
	else ig=R why=$(sed "s|^igos-sign: '$J/$n.efi': ||" err); fi
	is "$fw" "$efw" "$n: OVMF $( [ "$efw" = A ] && echo accepts || echo refuses) it ($(status ovmf.log "$n"))"
	is "$sh" "$esh" "$n: shim $( [ "$esh" = A ] && echo accepts || echo refuses) it ($(status shim.log "$n"))"
	if [ "$eig" = S ]; then
		is "$ig" R "$n: igos-sign verify refuses it (stricter than both, documented)"
	else
		is "$ig" "$eig" "$n: igos-sign verify $( [ "$eig" = A ] && echo accepts || echo refuses) it"
	fi
	total=$((total + 1))
	both=R; [ "$fw" = A ] && [ "$sh" = A ] && both=A
	[ "$both" = "$ig" ] && agree=$((agree + 1))
	table="$table
$n | $fw $(status ovmf.log "$n") | $sh $(status shim.log "$n") | $ig $why"
done <<EOF
$CASES
EOF
diag "$table" | sed 's/^# /#   /'
diag "igos-sign verify agrees with (OVMF and shim) on $agree of $total images; the others are its documented stricter rules"
never_laxer() {
	while read -r n efw esh eig; do
		[ "$(verdict ovmf.log "$n")" = A ] && [ "$(verdict shim.log "$n")" = A ] && continue
		"$S" verify -c keys/db.crt "$J/$n.efi" >/dev/null 2>&1 && { echo "$n: igos accepts"; return 1; }
	done <<-EOF
	$CASES
	EOF
	return 0
}
ok "never laxer: every image OVMF or shim refuses, igos-sign verify refuses" never_laxer
done_testing
