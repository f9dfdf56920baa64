#!/bin/sh
# igos-index-sign and igos-index-verify: options, exit codes, build, certify
# and sign with file keys, and their error lines.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/index.sh"
need sha256sum
idx_keys
idx_pkgs 4

# --help, --version, usage errors (exit 2, one line)
for t in "$SIGN" "$VERIFY"; do
	run 0 "" "$t --help" $t --help
	ok "$t --help prints the usage" sh -c "$t --help | grep -q '^usage: $t'"
	run 0 "" "$t --version" $t --version
	is "$OUT" "$t 0.1" "$t --version prints the version"
	case $t in
	*-sign) verbs="build, certify, sign or attach" ;;
	*) verbs="verify, check or init" ;;
	esac
	run 2 "$t: unknown verb 'frobnicate' ($verbs)" "$t: unknown verb" $t frobnicate
	run 2 "$t: no verb given ($verbs; see --help)" "$t without a verb" $t
done
run 2 "igos-index-sign: unknown option '--bogus'" "unknown option" $SIGN sign --bogus
run 2 "igos-index-sign: --repo given twice" "repeated option" \
	$SIGN sign --repo a --repo b
run 2 "igos-index-sign: sign takes one INDEX" "sign: two operands" \
	$SIGN sign --key k --cert c --repo core --arch x86_64 --version 1 a b
run 2 "igos-index-sign: sign needs --key, --cert, --repo, --arch and --version" \
	"sign: missing option" $SIGN sign --key k db
run 2 "igos-index-sign: invalid version '0' (1 or more)" "sign: version 0" \
	$SIGN sign --key k --cert c --repo core --arch x86_64 --version 0 db
run 2 "igos-index-sign: invalid version '07' (1 or more)" "sign: version with a leading zero" \
	$SIGN sign --key k --cert c --repo core --arch x86_64 --version 07 db
run 2 "igos-index-sign: invalid repo name '../x'" "sign: bad repo name" \
	$SIGN sign --key k --cert c --repo ../x --arch x86_64 --version 1 db
run 2 "igos-index-sign: invalid duration '7 days' (want e.g. 7d, 12h, 30m)" "sign: bad duration" \
	$SIGN sign --key k --cert c --repo core --arch x86_64 --version 1 --expires '7 days' db
run 2 "igos-index-sign: invalid time '2026-06-01 12:00' (want YYYY-MM-DDThh:mm:ssZ)" \
	"sign: bad --now" $SIGN sign --key k --cert c --repo core --arch x86_64 --version 1 \
	--now '2026-06-01 12:00' db
run 2 "igos-index-verify: verify takes INDEX [SIG]" "verify: no operand" \
	$VERIFY verify --trust t --state s --repo core --arch x86_64
run 2 "igos-index-verify: verify needs --trust, --state, --repo and --arch" \
	"verify: missing option" $VERIFY verify --state s --repo core --arch x86_64 db
run 2 "igos-index-verify: with the index on stdin, name the signature file" \
	"verify: stdin index without a .sig operand" \
	$VERIFY verify --trust t --state s --repo core --arch x86_64 -
run 2 "igos-index-verify: --state given twice" "verify: repeated option" \
	$VERIFY verify --state s --state s db
run 2 "igos-index-verify: invalid arch name 'x86 64'" "verify: bad arch name" \
	$VERIFY verify --trust t --state s --repo core --arch 'x86 64' db
run 2 "igos-index-verify: invalid time '2026-06-01' (want YYYY-MM-DDThh:mm:ssZ)" "verify: bad --now" \
	$VERIFY verify --trust t --state s --repo core --arch x86_64 --now 2026-06-01 db
run 2 "igos-index-verify: check takes INDEX PACKAGE..." "check: no package" \
	$VERIFY check --state s --repo core db
run 2 "igos-index-verify: invalid duration '14' (want e.g. 7d, 12h, 30m)" \
	"verify: bad --max-validity" $VERIFY verify --trust t --state s --repo core --arch x86_64 \
	--max-validity 14 db

# build: sorted, one line per package, sizes and SHA-256 as sha256sum sees them
run 0 "" "build an index" $SIGN build -o InterGenOS.db pkgs/p-3.pkg.tar.zst pkgs/p-1.pkg.tar.zst \
	pkgs/p-4.pkg.tar.zst pkgs/p-2.pkg.tar.zst
{
	echo "igos-index v1"
	for f in pkgs/*; do
		echo "${f##*/} $(wc -c <"$f" | tr -d ' ') $(sha256sum <"$f" | cut -c1-64)"
	done | LC_ALL=C sort
} >expect.db
same InterGenOS.db expect.db "the index matches sha256sum, wc -c and sort"
run 0 "" "build to stdout" $SIGN build pkgs/*
printf '%s\n' "$OUT" >stdout.db
same stdout.db expect.db "build writes to stdout without -o"
mkdir -p other; cp pkgs/p-1.pkg.tar.zst other/
run 1 "igos-index-sign: duplicate package name 'p-1.pkg.tar.zst' ('other/p-1.pkg.tar.zst' and 'pkgs/p-1.pkg.tar.zst')" \
	"build refuses two packages of one name" $SIGN build -o dup.db other/p-1.pkg.tar.zst pkgs/*
ok "and writes nothing" test ! -e dup.db
: >'other/a..b.pkg'
run 1 "igos-index-sign: 'other/a..b.pkg': file name not allowed in the index" \
	"build refuses '..' in a name" $SIGN build -o x.db 'other/a..b.pkg'
: >'other/a b.pkg'
run 1 "igos-index-sign: 'other/a b.pkg': file name not allowed in the index" \
	"build refuses a space in a name" $SIGN build -o x.db 'other/a b.pkg'
run 1 "igos-index-sign: cannot open 'nope.pkg': No such file or directory" \
	"build: missing package" $SIGN build -o x.db nope.pkg
run 1 "igos-index-sign: 'pkgs': not a regular file" "build: a directory" $SIGN build -o x.db pkgs
no_temps . "no temporary file left behind"

# certify
run 0 "" "certify a P-256 subkey" $SIGN certify --master-key master.pem --subkey p256.pub \
	--serial 3 --scope "core,extra x86_64" --not-before 2026-01-01T00:00:00Z \
	--not-after 2027-01-01T00:00:00Z -o sub.cert
C_SCOPE="core,extra x86_64" idx_mkcert ref.cert
same sub.cert ref.cert "the certificate is byte for byte what plain openssl makes"
run 1 "igos-index-sign: 'p256.pem': the master key must be Ed25519" "certify: master not Ed25519" \
	$SIGN certify --master-key p256.pem --subkey p256.pub --serial 3 --scope "core x86_64" \
	--not-after 2027-01-01T00:00:00Z -o x.cert
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
openssl pkey -in rsa.pem -pubout -out rsa.pub
run 1 "igos-index-sign: 'rsa.pub': the key is neither ECDSA P-256 nor Ed25519" \
	"certify: no RSA subkeys" $SIGN certify --master-key master.pem --subkey rsa.pub --serial 3 \
	--scope "core x86_64" --not-after 2027-01-01T00:00:00Z -o x.cert
run 2 "igos-index-sign: invalid serial '0' (1 or more)" "certify: serial 0" \
	$SIGN certify --master-key master.pem --subkey p256.pub --serial 0 --scope "core x86_64" \
	--not-after 2027-01-01T00:00:00Z -o x.cert
run 2 "igos-index-sign: invalid scope 'core' (want \"REPOS ARCHES\", each a comma list or *)" \
	"certify: bad scope" $SIGN certify --master-key master.pem --subkey p256.pub --serial 3 \
	--scope core --not-after 2027-01-01T00:00:00Z -o x.cert
run 2 "igos-index-sign: --not-after is not after --not-before" "certify: empty window" \
	$SIGN certify --master-key master.pem --subkey p256.pub --serial 3 --scope "core x86_64" \
	--not-before 2027-01-01T00:00:00Z --not-after 2026-01-01T00:00:00Z -o x.cert
run 2 "igos-index-sign: --not-after is not after now (the default of --not-before)" \
	"certify: a past --not-after without --not-before names the default" \
	$SIGN certify --master-key master.pem --subkey p256.pub --serial 3 --scope "core x86_64" \
	--not-after 2001-01-01T00:00:00Z -o x.cert
run 1 "igos-index-sign: 'rsa.pem': the master key must be Ed25519" \
	"certify: an RSA master gets the same message as a P-256 one" \
	$SIGN certify --master-key rsa.pem --subkey p256.pub --serial 3 --scope "core x86_64" \
	--not-after 2037-01-01T00:00:00Z -o x.cert
chmod 644 master.pem
run 1 "*" "certify: a master key file others can read is refused" \
	$SIGN certify --master-key master.pem --subkey p256.pub --serial 3 --scope "core x86_64" \
	--not-after 2027-01-01T00:00:00Z -o x.cert
chmod 600 master.pem

# sign with a file key: it works, and warns
NOW=2026-06-01T12:00:00Z
S="$SIGN sign --key p256.pem --cert sub.cert --repo core --arch x86_64 --now $NOW"
run 0 "igos-index-sign: warning: 'p256.pem' is a key file; release keys belong on a token" \
	"sign with a file key warns" $S --version 10 InterGenOS.db
ok "the .sig is written beside the index" test -s InterGenOS.db.sig
is "$(sed -n 's/^created: //p' InterGenOS.db.sig) $(sed -n 's/^expires: //p' InterGenOS.db.sig)" \
	"2026-06-01T12:00:00Z 2026-06-08T12:00:00Z" "created is now, expires 7 days later by default"
is "$(sed -n 's/^index-size: //p' InterGenOS.db.sig) $(sed -n 's/^index-sha256: //p' InterGenOS.db.sig)" \
	"$(wc -c <InterGenOS.db | tr -d ' ') $(sha256sum <InterGenOS.db | cut -c1-64)" \
	"index-size and index-sha256"
is "$(sed -n '2,9p' InterGenOS.db.sig)" "$(cat sub.cert)" "the cert block is copied byte for byte"
cp InterGenOS.db.sig v10.sig
run 1 "igos-index-sign: version 10 is not above the version 10 of the existing 'InterGenOS.db.sig' (--force signs it anyway)" \
	"sign refuses the same version" $S --version 10 InterGenOS.db
run 1 "igos-index-sign: version 9 is not above the version 10 of the existing 'InterGenOS.db.sig' (--force signs it anyway)" \
	"sign refuses a lower version" $S --version 9 InterGenOS.db
same InterGenOS.db.sig v10.sig "the refused sign left the .sig alone"
run 0 "*" "--force signs a lower version" $S --version 9 --force InterGenOS.db
is "$(sed -n 's/^version: //p' InterGenOS.db.sig)" "9" "version 9 written"
run 0 "*" "a higher version needs no force" $S --version 11 --expires 12h InterGenOS.db
is "$(sed -n 's/^expires: //p' InterGenOS.db.sig)" "2026-06-02T00:00:00Z" "--expires 12h"
run 1 "igos-index-sign: the clock is behind the created time 2026-06-01T12:00:00Z of the existing 'InterGenOS.db.sig' (--force signs it anyway)" \
	"sign refuses to date a release before the last one" $SIGN sign --key p256.pem \
	--cert sub.cert --repo core --arch x86_64 --now 2026-06-01T11:00:00Z --version 12 InterGenOS.db
run 0 "*" "-o elsewhere" $S --version 1 -o elsewhere.sig InterGenOS.db
C_SUB=ed.pub idx_mkcert ed.cert
run 0 "*" "validity over 14 days: signed" $SIGN sign --key ed.pem --cert ed.cert --repo core \
	--arch x86_64 --now $NOW --version 1 --expires 30d -o long.sig InterGenOS.db
case "$ERR" in *"exceeds the clients' default maximum of 14d"*) r=0;; *) r=1;; esac
is "$r" 0 "and warned about the 14-day client policy"
run 1 "igos-index-sign: 'ed.pem' is not the key of certificate 'sub.cert'" \
	"sign refuses a key that is not the certificate's" $SIGN sign --key ed.pem --cert sub.cert \
	--repo core --arch x86_64 --now $NOW --version 20 InterGenOS.db
run 1 "igos-index-sign: certificate scope 'core,extra x86_64' does not cover repo 'testing' arch 'x86_64'" \
	"sign refuses a repo outside the scope" $SIGN sign --key p256.pem --cert sub.cert \
	--repo testing --arch x86_64 --now $NOW --version 20 InterGenOS.db
run 1 "igos-index-sign: certificate 'sub.cert' is not valid now" "sign: certificate expired" \
	$SIGN sign --key p256.pem --cert sub.cert --repo core --arch x86_64 --version 20 \
	--now 2027-01-01T00:00:00Z InterGenOS.db
run 1 "igos-index-sign: certificate 'sub.cert' is not valid now" "sign: certificate not yet valid" \
	$SIGN sign --key p256.pem --cert sub.cert --repo core --arch x86_64 --version 20 \
	--now 2025-12-31T23:59:59Z InterGenOS.db
sed 's/^cert-serial: 3/cert-serial: 03/' sub.cert >bad.cert
run 1 "igos-index-sign: bad certificate 'bad.cert': line 2: invalid number '03'" \
	"sign: bad certificate" $SIGN sign --key p256.pem --cert bad.cert --repo core \
	--arch x86_64 --now $NOW --version 20 InterGenOS.db
printf 'igos-index v1\nb 1 %064d\na 1 %064d\n' 0 0 >unsorted.db
run 1 "igos-index-sign: bad index 'unsorted.db': index line 3: entry out of order 'a'" \
	"sign refuses a malformed index" $S --version 1 unsorted.db
ok "and writes no .sig" test ! -e unsorted.db.sig
printf 'junk\n' >junk.db.sig
cp InterGenOS.db junk.db
run 1 "igos-index-sign: cannot read the version of the existing 'junk.db.sig': line 1: bad magic (not 'igos-index-sig v1') (--force replaces it)" \
	"sign refuses to replace an unreadable .sig" $S --version 1 junk.db
run 0 "*" "unless forced" $S --version 1 --force junk.db
no_temps . "no temporary file left behind"
done_testing
