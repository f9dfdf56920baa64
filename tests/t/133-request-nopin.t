#!/bin/sh
# Reading a public key from the token needs no login: igos-index-sign
# certify --subkey pkcs11:... and certify --request-out --master-key pkcs11:...
# ask no PIN (no C_Login, no prompt); and the request options of
# igos-measure, igos-verity and igos-index-sign are refused where they do not
# belong (exit 2).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/softhsm.sh"
need igos-index-sign igos-measure igos-verity openssl setsid
softhsm_token
W=$IGOS_BUILD/tests/p11wrap.so
export P11WRAP_MODULE="$HSM_MODULE" P11WRAP_LOG="$T/logins"
: >"$T/logins"
(umask 077 && openssl genpkey -algorithm ed25519 -out master.pem 2>/dev/null)
CERTIFY="--serial 1 --scope core x86_64 --not-after 2099-01-01T00:00:00Z"

# setsid: no controlling terminal, so a PIN prompt could only fail
for uri in "$HSM_URI;object=p256?module-path=$W" "$HSM_URI;object=p256;type=private?module-path=$W" \
	"$HSM_URI;object=ed25519;type=public?module-path=$W"; do
	run 0 "" "certify --subkey '${uri%%\?*}' without a PIN" setsid \
		igos-index-sign certify --master-key master.pem --subkey "$uri" --serial 1 \
		--scope "core x86_64" --not-after 2099-01-01T00:00:00Z -o sub.cert
done
is "$(cat "$T/logins")" "" "no C_Login at all"
is "$(sed -n 's/^cert-pubkey: //p' sub.cert)" \
	"$(openssl pkey -pubin -in "$HSM_DIR/ed25519.pub" -outform DER | tail -c 32 | base64)" \
	"the certificate holds the token key's public key"
run 1 "igos-index-sign: no public key or certificate matches 'pkcs11:token=igos-test;object=nosuch' on token 'igos-test'" \
	"a URI naming nothing" setsid igos-index-sign certify --master-key master.pem \
	--subkey "$HSM_URI;object=nosuch" --serial 1 --scope "core x86_64" \
	--not-after 2099-01-01T00:00:00Z -o none.cert
run 1 "igos-index-sign: 'pkcs11:token=igos-test;object=rsa2048': the master key must be Ed25519" \
	"certify --request-out: a token master key of the wrong kind" setsid igos-index-sign certify \
	--request-out m.req --master-key "$HSM_URI;object=rsa2048" --subkey "$HSM_DIR/p256.pub" \
	--serial 1 --scope "core x86_64" --not-after 2099-01-01T00:00:00Z
run 0 "" "certify --request-out: the token's master public key, no PIN" setsid \
	igos-index-sign certify --request-out m.req --master-key "$HSM_URI;object=ed25519?module-path=$W" \
	--subkey "$HSM_DIR/p256.pub" --serial 1 --scope "core x86_64" \
	--not-after 2099-01-01T00:00:00Z
is "$(cat "$T/logins")" "" "still no C_Login"

# ---- the request options, where they do not belong ----
run 2 "igos-measure: --request-out is an option of sign" "measure: --request-out on verify" \
	igos-measure verify --request-out x.req -P k.pub x.pcrsig x.efi
run 2 "igos-measure: --request-out writes a request, not a .pcrsig: no --key, --pin-file, --tcti or --output" \
	"measure: --request-out with --key" igos-measure sign --request-out x.req -k x.pem x.efi
run 2 "igos-measure: attach needs --request and --signature, or --pcrsig" "measure: attach without them" \
	igos-measure attach x.efi
run 2 "igos-verity: sign: --request-out writes a request, not a signature: no -k, -o, --pin-file, --tcti or --json" \
	"verity: --request-out with -k" igos-verity sign --request-out x.req -k x.pem -c x.crt \
	"$(printf '%064d' 1)"
run 2 "igos-verity: attach takes no key or certificate: the request names them" \
	"verity: attach with -c" igos-verity attach -c x.crt --request x.req --signature x.sig \
	"$(printf '%064d' 1)"
run 2 "igos-index-sign: sign: --request-out writes a request, not a signature: no --key, --pin-file or -o" \
	"index: sign --request-out with --key" igos-index-sign sign --request-out x.req --key x.pem \
	--cert x.cert --repo core --arch x86_64 --version 1 x.db
run 2 "igos-index-sign: certify: --request-out writes a request; attach writes the certificate: no -o" \
	"index: certify --request-out with -o" igos-index-sign certify --request-out x.req -o x.cert \
	--master-key m.pub --subkey s.pub --serial 1 --scope "core x86_64" \
	--not-after 2099-01-01T00:00:00Z
run 2 "igos-index-sign: attach needs --request and --signature" "index: attach without them" \
	igos-index-sign attach x.db
done_testing
