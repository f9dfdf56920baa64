#!/bin/sh
# The plain-openssl check of a release printed in igos-index-verify(1) works
# as written, for P-256 and Ed25519 subkeys (file and token), and catches a
# forged certificate, a changed header and another index.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/softhsm.sh"
. "$TESTLIB/index.sh"
softhsm_token
need sha256sum
idx_keys
idx_pkgs 3
# the man page's block, unescaped
sed -n '/run by tests\/t\/65-index-openssl.t/,/^\.Ed/p' "$IGOS_SRC/man/igos-index-verify.1" |
	sed '1,2d;$d' | sed 's/\\e/\\/g; s/\\(mi/-/g; s/\\&//g' >check.sh
ok "the man page holds the openssl check" test "$(wc -l <check.sh)" -gt 15

# osl DIR: run the man page's commands in DIR
osl() {
	(cd "$1" && sh "$T/check.sh" 2>&1)
}

for kind in p256-file ed-file p256-token ed25519-token; do
	d=$kind
	mkdir "$d"
	cp master.pub "$d/"
	$SIGN build -o "$d/InterGenOS.db" pkgs/*
	case $kind in
	p256-file) key=p256.pem; sub=p256.pub; pin= ;;
	ed-file) key=ed.pem; sub=ed.pub; pin= ;;
	*-token)
		label=${kind%-token}
		key="$HSM_URI;object=$label;type=private"; sub="$HSM_URI;object=$label"
		pin="--pin-file $HSM_PIN_FILE" ;;
	esac
	$SIGN certify --master-key master.pem --subkey "$sub" $pin --serial 2 --scope "core x86_64" \
		--not-before 2026-01-01T00:00:00Z --not-after 2099-01-01T00:00:00Z -o $d.cert
	$SIGN sign --key "$key" $pin --cert $d.cert --repo core --arch x86_64 --version 7 \
		"$d/InterGenOS.db" 2>/dev/null
	out=$(osl "$d")
	is "$(echo "$out" | head -n 1)" "$(sed -n 's/^cert-master: //p' "$d/InterGenOS.db.sig")" \
		"$kind: the first command prints cert-master"
	is "$(echo "$out" | grep -c 'Verified')" "2" \
		"$kind: openssl verifies the certificate and the header signature"
	is "$(echo "$out" | tail -n 2 | tr '\n' ' ')" \
		"$(sed -n 's/^index-size: //p' "$d/InterGenOS.db.sig") $(sed -n 's/^index-sha256: //p' "$d/InterGenOS.db.sig") *InterGenOS.db " \
		"$kind: the last command prints index-size and index-sha256"
done

# what the openssl check catches
d=p256-file
cp -R $d forged
sed -i 's/^cert-scope: .*/cert-scope: * */' forged/InterGenOS.db.sig
out=$(osl forged)
is "$(echo "$out" | grep -c 'Verified')" "0" "a widened scope: the certificate fails, and so the header"
cp -R $d changed
sed -i 's/^version: 7/version: 8/' changed/InterGenOS.db.sig
out=$(osl changed)
is "$(echo "$out" | grep -c 'Verified')" "1" "a changed version: only the certificate verifies"
cp -R ed-file changed-ed
sed -i 's/^expires: \(....\)/expires: 2099/' changed-ed/InterGenOS.db.sig
out=$(osl changed-ed)
is "$(echo "$out" | grep -c 'Verified')" "1" "Ed25519: a changed expires: only the certificate verifies"
cp -R $d other
$SIGN build -o other/InterGenOS.db pkgs/p-1.pkg.tar.zst
out=$(osl other)
ok "another index: its size or hash differs from the signed ones" \
	test "$(echo "$out" | tail -n 1 | cut -c1-64)" != "$(sed -n 's/^index-sha256: //p' other/InterGenOS.db.sig)"
# a package line checks with sha256sum
f=pkgs/p-2.pkg.tar.zst
is "$(grep "^p-2.pkg.tar.zst " $d/InterGenOS.db)" \
	"p-2.pkg.tar.zst $(wc -c <$f | tr -d ' ') $(sha256sum <$f | cut -c1-64)" \
	"a package's index line is its wc -c and sha256sum"
done_testing
