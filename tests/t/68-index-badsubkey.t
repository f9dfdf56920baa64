#!/bin/sh
# A subkey certificate the master really signed whose key is no key: a P-256
# point off the curve, or an Ed25519 key of the wrong length. verify refuses
# the .sig by naming the key, and the state is untouched; an Ed25519
# signature is never held to ECDSA's range of r and s.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/index.sh"
idx_keys
idx_pkgs 1
$SIGN build -o db pkgs/*
idx_state st core
cp st/core.state st.before
V="$VERIFY verify --trust master.pub --state st --repo core --arch x86_64 --now 2026-06-02T00:00:00Z"
P="igos-index-verify:"

# the P-256 subkey with the last byte of y flipped: off the curve
raw=$(openssl pkey -pubin -in p256.pub -outform DER | tail -c 65 | xxd -p | tr -d '\n')
last=$(printf '%s' "$raw" | tail -c 2)
off=$(printf '%s%02x' "$(printf '%s' "$raw" | head -c 128)" $((0x$last ^ 1)) | xxd -r -p | openssl base64 -A)
C_PUB=$off idx_mkcert off.cert
idx_mksig off.cert db off.sig
run 1 "*" "a certified P-256 subkey off the curve: refused" $V db off.sig
case $ERR in
"$P 'off.sig': bad index signature (sig): invalid P-256 public key"*) ok "by its key" true ;;
*) ok "by its key ($ERR)" false ;;
esac
same st/core.state st.before "the state is untouched"

# a real certificate and .sig with the subkey made Ed25519
C_SUB=ed.pub idx_mkcert ed.cert
S_KEY=ed.pem idx_mksig ed.cert db ed.sig
run 0 "*" "an Ed25519 subkey's .sig is accepted" $V db ed.sig
cp st.before st/core.state
# its signature replaced by 64 bytes of 0xff: beyond ECDSA's n, not judged by it
ff=$(head -c 64 /dev/zero | tr '\0' '\377' | openssl base64 -A)
sed "s|^sig: .*|sig: $ff|" ed.sig >ff.sig
run 1 "$P 'ff.sig': bad index signature (sig): bad signature" \
	"an Ed25519 signature of 0xff bytes is a bad signature, not an ECDSA range error" $V db ff.sig
same st/core.state st.before "the state is untouched"
done_testing
