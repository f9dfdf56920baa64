#!/bin/sh
# The whole release and sync path with SoftHSM2 token subkeys (P-256 and
# Ed25519) and a master key as a file and on a token: certify, build, sign
# on the token, verify, check packages. Token keys never leave the token; a
# wrong PIN is one login attempt.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/softhsm.sh"
. "$TESTLIB/index.sh"
softhsm_token
need pkcs11-tool p11tool
idx_keys
idx_pkgs 4
U="$HSM_URI"
W=$IGOS_BUILD/tests/p11wrap.so

run 0 "" "build the index from 4 package files" $SIGN build -o InterGenOS.db pkgs/*
idx_state st core
n=0
for k in p256:ecdsa-p256-sha256 ed25519:ed25519; do
	label=${k%%:*} alg=${k#*:}
	n=$((n + 1))
	run 0 "" "certify the token's $label key (public key read from the token)" \
		$SIGN certify --master-key master.pem --subkey "$U;object=$label" \
		--pin-file "$HSM_PIN_FILE" --serial $n --scope "core x86_64" \
		--not-before 2026-01-01T00:00:00Z --not-after 2099-01-01T00:00:00Z -o $label.cert
	is "$(sed -n 's/^cert-alg: //p' $label.cert)" "$alg" "cert-alg $alg"
	is "$(sed -n 's/^cert-pubkey: //p' $label.cert)" "$(idx_rawpub "$HSM_DIR/$label.pub")" \
		"cert-pubkey is the token key's public key"
	run 0 "" "sign on the token with $label: no warning" $SIGN sign \
		--key "$U;object=$label;type=private" --pin-file "$HSM_PIN_FILE" --cert $label.cert \
		--repo core --arch x86_64 --version $n InterGenOS.db
	run 0 "" "verify the $label signature" $VERIFY verify --trust master.pub --state st \
		--repo core --arch x86_64 InterGenOS.db
	is "$(echo "$OUT" | sed -n '1p;4p;7p;8p' | tr '\n' ' ')" \
		"status: accepted version: $n cert-serial: $n packages: 4 " "verify reports what it accepted"
	is "$(sed -n 's/^version: //p' st/core.state)" "$n" "the state holds version $n"
done
run 0 "" "check each package against the accepted index" $VERIFY check --state st --repo core \
	InterGenOS.db pkgs/*

# packages that must be refused
mkdir bad
cp pkgs/p-2.pkg.tar.zst bad/
printf 'X' | dd of=bad/p-2.pkg.tar.zst bs=1 seek=100 conv=notrunc 2>/dev/null
run 1 "igos-index-verify: 'bad/p-2.pkg.tar.zst': SHA-256 does not match the index" \
	"a tampered package (same size) is refused" $VERIFY check --state st --repo core \
	InterGenOS.db bad/p-2.pkg.tar.zst
cp pkgs/p-3.pkg.tar.zst bad/; printf 'x' >>bad/p-3.pkg.tar.zst
sz=$(wc -c <pkgs/p-3.pkg.tar.zst | tr -d ' ')
run 1 "igos-index-verify: 'bad/p-3.pkg.tar.zst': size $((sz + 1)), the index says $sz" \
	"a package of the wrong size is refused" $VERIFY check --state st --repo core \
	InterGenOS.db bad/p-3.pkg.tar.zst
head -c 100 /dev/urandom >bad/evil-1.0.pkg.tar.zst
run 1 "igos-index-verify: 'bad/evil-1.0.pkg.tar.zst': not in the index" \
	"an unlisted package is refused" $VERIFY check --state st --repo core \
	InterGenOS.db bad/evil-1.0.pkg.tar.zst
run 1 "*" "one bad package among good ones fails the check" $VERIFY check --state st \
	--repo core InterGenOS.db pkgs/p-1.pkg.tar.zst bad/p-2.pkg.tar.zst pkgs/p-4.pkg.tar.zst
is "$ERR" "igos-index-verify: 'bad/p-2.pkg.tar.zst': SHA-256 does not match the index" \
	"and names only the bad one"

# the master key on a token too
idx_state st2 core
run 0 "" "certify with the master key on the token (Ed25519)" $SIGN certify \
	--master-key "$U;object=ed25519;type=private" --pin-file "$HSM_PIN_FILE" \
	--subkey "$U;object=p256" --serial 1 --scope "* *" --not-before 2026-01-01T00:00:00Z \
	--not-after 2099-01-01T00:00:00Z -o tm.cert
run 0 "" "sign with the token subkey under the token master" $SIGN sign \
	--key "$U;object=p256;type=private" --pin-file "$HSM_PIN_FILE" --cert tm.cert \
	--repo core --arch x86_64 --version 1 -o tm.sig InterGenOS.db
run 0 "*" "verify against the token master's public key" $VERIFY verify \
	--trust "$HSM_DIR/ed25519.pub" --state st2 --repo core --arch x86_64 InterGenOS.db tm.sig
run 1 "igos-index-verify: 'tm.sig': master key $(idx_master_id "$HSM_DIR/ed25519.pub") is not trusted" \
	"the file master does not accept it" $VERIFY verify --trust master.pub --state st2 \
	--repo core --arch x86_64 InterGenOS.db tm.sig

# keys never leave the token
pkcs11-tool --module "$HSM_MODULE" --token-label igos-test --login --pin "$HSM_PIN" \
	--list-objects --type privkey >objs 2>/dev/null
for label in p256 ed25519; do
	ok "$label: CKA_SENSITIVE, never extractable" sh -c \
		"grep -A8 'label: *$label\$' objs | grep -q 'Access:.*sensitive.*never extractable'"
	GNUTLS_PIN=$HSM_PIN nok "p11tool cannot export the $label private key" \
		p11tool --login --export "$U;object=$label;type=private"
done

# a wrong PIN: one error, one login attempt
printf 'wrong\n' >badpin; chmod 600 badpin
export P11WRAP_MODULE="$HSM_MODULE" P11WRAP_LOG="$T/logins"
run 1 "igos-index-sign: token 'igos-test': wrong PIN" "sign with a wrong PIN fails" $SIGN sign \
	--key "$U;object=p256;type=private?module-path=$W" --pin-file badpin --cert p256.cert \
	--repo core --arch x86_64 --version 50 -o wp.sig InterGenOS.db
is "$(grep -c C_Login logins)" "1" "with exactly one login attempt"
ok "and writes no .sig" test ! -e wp.sig
rm -f logins
run 0 "" "the right PIN: one login" $SIGN sign \
	--key "$U;object=p256;type=private?module-path=$W" --pin-file "$HSM_PIN_FILE" \
	--cert p256.cert --repo core --arch x86_64 --version 50 -o wp.sig InterGenOS.db
is "$(grep -c C_Login logins)" "1" "exactly one login for a signing run"
rm -f logins
P11WRAP_FLAGS=0x20000 run 1 \
	"igos-index-sign: token 'igos-test': one PIN try left; refusing to risk locking the token (--force-pin-final-try to try anyway)" \
	"the final PIN try is not risked" $SIGN sign \
	--key "$U;object=p256;type=private?module-path=$W" --pin-file badpin --cert p256.cert \
	--repo core --arch x86_64 --version 51 -o wp.sig InterGenOS.db
P11WRAP_FLAGS=0x40000 run 1 "igos-index-sign: token 'igos-test': the user PIN is locked" \
	"a locked token is refused" $SIGN sign \
	--key "$U;object=p256;type=private?module-path=$W" --pin-file badpin --cert p256.cert \
	--repo core --arch x86_64 --version 51 -o wp.sig InterGenOS.db
is "$(cat logins 2>/dev/null | wc -l | tr -d ' ')" "0" "no login attempted on a locked or last-try token"
P11WRAP_FLAGS=0x20000 run 0 "" "--force-pin-final-try risks the last try on purpose" $SIGN sign \
	--key "$U;object=p256;type=private?module-path=$W" --pin-file "$HSM_PIN_FILE" \
	--force-pin-final-try --cert p256.cert --repo core --arch x86_64 --version 51 -o wp.sig \
	InterGenOS.db
is "$(grep -c C_Login logins)" "1" "with one login"
unset P11WRAP_MODULE P11WRAP_LOG
done_testing
