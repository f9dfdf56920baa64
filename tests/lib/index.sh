# Helpers for the igos-index tests, sourced after tap.sh. They make keys,
# subkey certificates and .sig files with plain openssl, independently of
# the igos code, so the tests can sign any header they need (expired, with
# another repo, ...) and hold igos against a second implementation.
need openssl od xxd

SIGN=igos-index-sign
VERIFY=igos-index-verify

# idx_keys: master.pem/.pub (Ed25519), p256.pem/.pub, ed.pem/.pub, other.pem/.pub
idx_keys() {
	for _k in master:ed25519 ed:ed25519 other:ed25519 p256:EC; do
		_n=${_k%%:*} _a=${_k#*:}
		if [ "$_a" = EC ]; then
			openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
				-out "$_n.pem" 2>/dev/null
		else
			openssl genpkey -algorithm ed25519 -out "$_n.pem" 2>/dev/null
		fi
		chmod 600 "$_n.pem"
		openssl pkey -in "$_n.pem" -pubout -out "$_n.pub"
	done
}

# idx_master_id PUB: the 16 hex digits of cert-master
idx_master_id() {
	openssl pkey -pubin -in "$1" -outform DER | tail -c 32 | openssl dgst -sha256 -r | cut -c1-16
}

# idx_rawpub PUB: base64 of the raw public key (65-byte point or 32 bytes)
idx_rawpub() {
	_der=$(openssl pkey -pubin -in "$1" -outform DER | wc -c)
	if [ "$_der" -eq 91 ]; then _n=65; else _n=32; fi
	openssl pkey -pubin -in "$1" -outform DER | tail -c $_n | openssl base64 -A
}

# idx_state DIR REPO [SERIAL VERSION CREATED SHA]: a seeded state file
idx_state() {
	mkdir -p "$1"
	printf 'igos-index-state v1\nrepo: %s\ncert-serial: %s\nversion: %s\ncreated: %s\nindex-sha256: %s\n' \
		"$2" "${3:-0}" "${4:-0}" "${5:-1970-01-01T00:00:00Z}" \
		"${6:-0000000000000000000000000000000000000000000000000000000000000000}" \
		>"$1/$2.state"
}

# idx_mkcert OUT: a subkey certificate signed by $C_MASTER_KEY (default
# master.pem) for $C_SUB (default p256.pub); fields from C_* variables.
idx_mkcert() {
	_sub=${C_SUB:-p256.pub}
	_alg=${C_ALG:-}
	if [ -z "$_alg" ]; then
		if [ "$(openssl pkey -pubin -in "$_sub" -outform DER | wc -c)" -eq 91 ]; then
			_alg=ecdsa-p256-sha256
		else
			_alg=ed25519
		fi
	fi
	{
		echo "cert-master: ${C_MASTER:-$(idx_master_id "${C_MASTER_PUB:-master.pub}")}"
		echo "cert-serial: ${C_SERIAL:-3}"
		echo "cert-alg: $_alg"
		echo "cert-pubkey: ${C_PUB:-$(idx_rawpub "$_sub")}"
		echo "cert-scope: ${C_SCOPE:-core x86_64}"
		echo "cert-not-before: ${C_NB:-2026-01-01T00:00:00Z}"
		echo "cert-not-after: ${C_NA:-2027-01-01T00:00:00Z}"
	} >"$1.tbs"
	{ printf 'igos-subkey-cert v1\n'; cat "$1.tbs"; } >"$1.msg"
	_s=$(openssl pkeyutl -sign -inkey "${C_MASTER_KEY:-master.pem}" -rawin -in "$1.msg" |
		openssl base64 -A)
	{ cat "$1.tbs"; echo "cert-sig: $_s"; } >"$1"
	rm -f "$1.tbs" "$1.msg"
}

# _int64 HEX: an ASN.1 INTEGER's hex (upper case, maybe a 00 prefix) as 64 digits
_int64() {
	_h=$(printf '%s' "$1" | sed 's/^00\(.\{64\}\)$/\1/')
	printf '%64s' "$_h" | tr ' ' 0
}

# idx_sign_header HDR KEY ALG: base64 of the raw signature over HDR
idx_sign_header() {
	if [ "$3" = ecdsa-p256-sha256 ]; then
		openssl dgst -sha256 -sign "$2" -out "$1.der" "$1"
		_rs=$(openssl asn1parse -inform DER -in "$1.der" | sed -n 's/.*INTEGER *://p')
		_r=$(_int64 "$(echo "$_rs" | sed -n 1p)")
		_s=$(_int64 "$(echo "$_rs" | sed -n 2p)")
		rm -f "$1.der"
		printf '%s%s' "$_r" "$_s" | _unhex | openssl base64 -A
	else
		openssl pkeyutl -sign -inkey "$2" -rawin -in "$1" | openssl base64 -A
	fi
}

_unhex() { xxd -r -p; }

# idx_mksig CERT INDEX OUT: a .sig over INDEX with header fields from S_*,
# signed by $S_KEY (default p256.pem).
idx_mksig() {
	_alg=$(sed -n 's/^cert-alg: //p' "$1")
	{
		echo "igos-index-sig v1"
		cat "$1"
		echo "repo: ${S_REPO:-core}"
		echo "arch: ${S_ARCH:-x86_64}"
		echo "version: ${S_VERSION:-10}"
		echo "created: ${S_CREATED:-2026-06-01T12:00:00Z}"
		echo "expires: ${S_EXPIRES:-2026-06-08T12:00:00Z}"
		echo "index-size: ${S_SIZE:-$(wc -c <"$2" | tr -d ' ')}"
		echo "index-sha256: ${S_SHA:-$(openssl dgst -sha256 -r "$2" | cut -c1-64)}"
	} >"$3.hdr"
	_sig=$(idx_sign_header "$3.hdr" "${S_KEY:-p256.pem}" "$_alg")
	{ cat "$3.hdr"; echo "sig: $_sig"; } >"$3"
	rm -f "$3.hdr"
}

# idx_pkgs N: N package files pkgs/p-I.pkg.tar.zst of varied sizes
idx_pkgs() {
	mkdir -p pkgs
	_i=1
	while [ $_i -le "$1" ]; do
		head -c $((_i * 1500 + 7)) /dev/urandom >"pkgs/p-$_i.pkg.tar.zst"
		_i=$((_i + 1))
	done
}
