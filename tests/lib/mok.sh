# Helpers for the igos-mok tests: fake efivarfs directories and signature lists
# built byte by byte (the formats of spec/mok-efivars.md), sourced after tap.sh.
SHIM_GUID=605dab50-e046-4300-abb6-3dd810dd8b23
GLOBAL_GUID=8be4df61-93ca-11d2-aa0d-00e098032b8c
SHIM_GUID_HEX=50ab5d6046e00043abb63dd810dd8b23
X509_GUID_HEX=a159c0a5e494a74a87b5ab155c2bf072
SHA256_GUID_HEX=2616c4c14c509240aca941f936934328

# le32 N: the little-endian hex of a 32-bit number
le32() { printf '%08x' "$1" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'; }

# esl_x509 DERFILE: one signature list holding that certificate (to stdout)
esl_x509() {
	_n=$(wc -c <"$1")
	printf '%s' "$X509_GUID_HEX$(le32 $((_n + 44)))$(le32 0)$(le32 $((_n + 16)))$SHIM_GUID_HEX" |
		xxd -r -p
	cat "$1"
}

# esl_sha256 HEX...: one signature list of SHA-256 digests
esl_sha256() {
	_h="$SHA256_GUID_HEX$(le32 $((28 + 48 * $#)))$(le32 0)$(le32 48)"
	for _d in "$@"; do _h="$_h$SHIM_GUID_HEX$_d"; done
	printf '%s' "$_h" | xxd -r -p
}

# efivar DIR NAME GUID ATTRHEX: stdin becomes the variable (attribute word first)
efivar() {
	{ printf '%s' "$4" | xxd -r -p; cat; } >"$1/$2-$3"
	chmod 600 "$1/$2-$3"
}

# efidir DIR [SB [SETUP]]: a fake efivarfs with SecureBoot (default 1) and,
# if given, SetupMode
efidir() {
	mkdir -p "$1"
	printf '%s' "0${2:-1}" | xxd -r -p | efivar "$1" SecureBoot $GLOBAL_GUID 06000000
	if [ $# -ge 3 ]; then
		printf '%s' "0$3" | xxd -r -p | efivar "$1" SetupMode $GLOBAL_GUID 06000000
	fi
}

# mkcert NAME [openssl req args...]: NAME.key, NAME.pem, NAME.der (RSA-2048)
mkcert() {
	_c=$1; shift
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$_c.key" -out "$_c.pem" \
		-subj "/CN=$_c" -days 30 "$@" 2>/dev/null &&
		openssl x509 -in "$_c.pem" -outform DER -out "$_c.der"
}

# mokutil against a fake efivarfs (libefivar honours EFIVARFS_PATH)
mokutil_at() { _d=$1; shift; EFIVARFS_PATH=$(cd "$_d" && pwd)/ mokutil "$@"; }

# fingerprints mokutil prints, one a line (SHA-1 fingerprints and hashes)
mokutil_ids() {
	sed -n 's/^SHA1 Fingerprint: //p; s/^  \([0-9a-f]\{64\}\)$/\1/p'
}
# the same from igos-mok list/pending text output (second-to-last fields)
igos_ids() { awk '{ for (i = 1; i <= NF; i++) if ($i == "x509" || $i == "sha256") { print $(i + 1); break } }'; }

MOKNEW="MokNew-$SHIM_GUID"
MOKAUTH="MokAuth-$SHIM_GUID"
MOKDEL="MokDel-$SHIM_GUID"
MOKDELAUTH="MokDelAuth-$SHIM_GUID"
