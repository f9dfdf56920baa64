#!/bin/sh
# The signer with SoftHSM2 token keys through p11-kit: keys used on the token,
# never extractable, one login, PINs only from files or the terminal.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/softhsm.sh"
softhsm_token
need pkcs11-tool p11tool openssl
S=$IGOS_BUILD/tests/signtool
W=$IGOS_BUILD/tests/p11wrap.so
printf 'the message\n' >msg
U="$HSM_URI"

for k in rsa2048 rsa4096 p256; do
	run 0 "" "token $k signs" $S --pin-file "$HSM_PIN_FILE" sign "$U;object=$k;type=private" \
		sha256 msg $k.sig $k.pub
	ok "token $k signature verifies with openssl" \
		openssl dgst -sha256 -verify $k.pub -signature $k.sig msg
	ok "token $k public key is the certificate's" sh -c \
		"openssl x509 -in $HSM_DIR/$k.crt -pubkey -noout | cmp -s - $k.pub"
done
is "$OUT" "2 256 1" "the P-256 token key is reported as EC and on a token"
run 0 "" "token ed25519 signs" $S --pin-file "$HSM_PIN_FILE" sign "$U;object=ed25519" none msg \
	ed.sig ed.pub
ok "token ed25519 signature verifies with openssl" \
	openssl pkeyutl -verify -pubin -inkey ed.pub -rawin -in msg -sigfile ed.sig
run 0 "" "pin-source in the URI" $S sign "$U;object=p256?pin-source=$HSM_PIN_FILE" sha256 msg \
	ps.sig ps.pub
run 0 "" "module-path in the URI" $S --pin-file "$HSM_PIN_FILE" sign \
	"$U;object=rsa2048?module-path=$HSM_MODULE" sha256 msg mp.sig mp.pub
ok "module-path signature verifies" openssl dgst -sha256 -verify mp.pub -signature mp.sig msg

# the private keys stay on the token
pkcs11-tool --module "$HSM_MODULE" --token-label igos-test --login --pin "$HSM_PIN" \
	--list-objects --type privkey >objs 2>/dev/null
is "$(grep -c 'Access:.*sensitive.*never extractable' objs)" "4" \
	"all four private keys are sensitive and never extractable"
for k in rsa2048 p256 ed25519; do
	GNUTLS_PIN=$HSM_PIN nok "exporting the private $k off the token fails" \
		p11tool --login --export "$U;object=$k;type=private"
done
GNUTLS_PIN=$HSM_PIN ok "while the certificate exports (the check can succeed)" \
	p11tool --login --export "$U;object=rsa2048;type=cert"

# certificates from the token
run 0 "" "certificate by pkcs11 URI" $S --pin-file "$HSM_PIN_FILE" match "$U;object=rsa2048" \
	"$U;object=rsa2048;type=cert"
run 0 "" "PKCS#7 signed on the token" $S --pin-file "$HSM_PIN_FILE" p7 "$U;object=rsa2048" \
	"$HSM_DIR/rsa2048.crt" msg msg.p7s
ok "openssl verifies the token's PKCS#7" openssl smime -verify -binary -inform der -in msg.p7s \
	-content msg -CAfile "$HSM_DIR/ca.crt" -certfile "$HSM_DIR/rsa2048.crt" -nointern -purpose any

# PINs
printf 'wrong\n' >badpin; chmod 600 badpin
WU="$U;object=rsa2048?module-path=$W"
export P11WRAP_MODULE="$HSM_MODULE" P11WRAP_LOG="$T/logins"
run 1 "signtool: token 'igos-test': wrong PIN" "a wrong PIN is one error" \
	$S --pin-file badpin sign "$WU" sha256 msg x.sig x.pub
is "$(grep -c C_Login logins)" "1" "exactly one login attempt with a wrong PIN"
rm -f logins
run 0 "" "the right PIN through the counting wrapper" $S --pin-file "$HSM_PIN_FILE" \
	sign "$WU" sha256 msg x.sig x.pub
is "$(grep -c C_Login logins)" "1" "exactly one login for a signature"
rm -f logins x.sig
P11WRAP_FLAGS=0x40000 run 1 "signtool: token 'igos-test': the user PIN is locked" \
	"a locked PIN is refused" $S --pin-file "$HSM_PIN_FILE" sign "$WU" sha256 msg x.sig x.pub
P11WRAP_FLAGS=0x20000 run 1 \
	"signtool: token 'igos-test': one PIN try left; refusing to risk locking the token (--force-pin-final-try to try anyway)" \
	"the final PIN try is refused" $S --pin-file "$HSM_PIN_FILE" sign "$WU" sha256 msg x.sig x.pub
is "$(cat logins 2>/dev/null | wc -l)" "0" "no login attempted on a locked or last-try token"
unset P11WRAP_MODULE P11WRAP_LOG
run 1 "signtool: pin-value in a pkcs11 URI is refused: use pin-source= or --pin-file" \
	"pin-value refused" $S sign "$U;object=rsa2048?pin-value=$HSM_PIN" sha256 msg x.sig x.pub
cp "$HSM_PIN_FILE" loosepin; chmod 644 loosepin
run 1 "signtool: 'loosepin' is readable by others: it must be mode 0600 or stricter" \
	"a pin file with loose mode is refused" $S --pin-file loosepin sign "$U;object=rsa2048" \
	sha256 msg x.sig x.pub
run 1 "signtool: '$T/loosepin' is readable by others: it must be mode 0600 or stricter" \
	"a pin-source with loose mode is refused" $S sign "$U;object=rsa2048?pin-source=$T/loosepin" \
	sha256 msg x.sig x.pub
run 1 "signtool: cannot prompt for PIN for token 'igos-test': no terminal" \
	"no PIN source and no terminal" setsid $S sign "$U;object=rsa2048" sha256 msg x.sig x.pub

# what the URI names
run 1 "signtool: '$U;type=private' matches more than one private key on token 'igos-test': add id= or object=" \
	"a URI matching several keys is refused" $S --pin-file "$HSM_PIN_FILE" sign "$U;type=private" \
	sha256 msg x.sig x.pub
run 1 "signtool: no private key matches '$U;object=nosuch' on token 'igos-test'" \
	"a URI matching no key is refused" $S --pin-file "$HSM_PIN_FILE" sign "$U;object=nosuch" \
	sha256 msg x.sig x.pub
run 1 "signtool: no PKCS#11 token matches 'pkcs11:token=absent;object=rsa2048'" \
	"a missing token is named" $S --pin-file "$HSM_PIN_FILE" sign "pkcs11:token=absent;object=rsa2048" \
	sha256 msg x.sig x.pub
run 1 "*" "a missing module is named" $S sign "$U;object=rsa2048?module-path=/nonexistent/mod.so" \
	sha256 msg x.sig x.pub
case "$ERR" in "signtool: cannot load PKCS#11 module '/nonexistent/mod.so'"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "the error names the module path"
run 1 "signtool: '$U;object=rsa2048;type=cert' does not name a private key" \
	"a certificate URI given as a key is refused" $S --pin-file "$HSM_PIN_FILE" sign \
	"$U;object=rsa2048;type=cert" sha256 msg x.sig x.pub
is "$(ls x.sig 2>/dev/null)" "" "no signature written by any failure"

# A registered module that cannot initialise (tpm2-pkcs11 without a resource
# manager) and that the URI does not name: skipped without a word, named under
# -v. p11-kit reads no user configuration here, so the test's module list is
# bind-mounted over the system one in a mount namespace of its own.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	mkdir mods
	cp /usr/share/p11-kit/modules/*.module mods/
	printf 'module: %s\n' "$IGOS_BUILD/tests/p11fail.so" >mods/p11fail.module
	ns() { unshare -m --propagation private sh -c \
		'mount --bind "$0" /usr/share/p11-kit/modules && exec "$@"' "$T/mods" "$@"; }
	printf 'the message\n' >msg
	run 0 "" "a registered module that fails to initialise is skipped quietly" \
		ns $S --pin-file "$HSM_PIN_FILE" sign "$U;object=p256" sha256 msg q.sig q.pub
	ok "the signature is made" openssl dgst -sha256 -verify q.pub -signature q.sig msg
	openssl x509 -in "$HSM_DIR/p256.crt" -out p256.crt
	run 0 "*" "-v: the same command works" ns igos-verity sign -v -k "$U;object=p256;type=private" --pin-file "$HSM_PIN_FILE" \
		-c p256.crt -o rh.p7s 0000000000000000000000000000000000000000000000000000000000000000
	is "$(printf '%s\n' "$ERR" | grep -v '^p11fail: ERROR: \|^p11-kit: ')" \
		"igos-verity: PKCS#11 module 'p11fail' skipped: cannot initialize: An error occurred on the device" \
		"and, beside the messages of p11-kit and the module, names the module it skipped"
	run 1 "signtool: no PKCS#11 token matches 'pkcs11:token=absent' (modules that would not initialise: p11fail)" \
		"when no token matches, the skipped module is named as a possible reason" \
		ns $S --pin-file "$HSM_PIN_FILE" sign "pkcs11:token=absent" sha256 msg x.sig x.pub
	run 1 "signtool: cannot initialize PKCS#11 module 'p11fail': An error occurred on the device" \
		"a module the URI names with module-name= is an error" \
		ns $S --pin-file "$HSM_PIN_FILE" sign "$U;object=p256?module-name=p11fail" sha256 msg x.sig x.pub
else
	skip "needs root and unshare to register a test module with p11-kit" "failing modules" 6
fi
done_testing
