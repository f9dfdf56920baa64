# Shared set-up for the igos-sign tests, sourced after tap.sh.
#   S      the igos-sign binary        MKPE   the PE maker (sign-mkpe.py)
#   snakeoil_keys  puts OVMF's snakeoil key (plain, 0600) and cert in $T/so.key, so.crt
#   rsa_cert NAME BITS [ISSUER [ca]]  a key NAME.key (0600) and cert NAME.crt,
#                  self-signed or issued by ISSUER (ISSUER.key/.crt); "ca" makes it a CA
S=${IGOS_BUILD:-$IGOS_SRC/build}/bin/igos-sign
MKPE="python3 $IGOS_SRC/tests/lib/sign-mkpe.py"
SIGNFILE=/usr/lib/linux-kbuild-6.1/scripts/sign-file
SNAKEOIL_KEY=/usr/share/ovmf/PkKek-1-snakeoil.key
SNAKEOIL_CRT=/usr/share/ovmf/PkKek-1-snakeoil.pem

snakeoil_keys() {
	[ -r "$SNAKEOIL_KEY" ] || skip_all "OVMF snakeoil key missing (make deps: ovmf)"
	(umask 077 && openssl rsa -passin pass:snakeoil -in "$SNAKEOIL_KEY" -out "$T/so.key" \
		2>/dev/null) || skip_all "cannot decrypt the snakeoil key"
	cp "$SNAKEOIL_CRT" "$T/so.crt"
}

rsa_cert() { # NAME BITS [ISSUER [ca]]
	(umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$2 \
		-out "$T/$1.key" 2>/dev/null)
	if [ -n "${3:-}" ]; then
		openssl req -new -key "$T/$1.key" -subj "/CN=igos test $1" -out "$T/$1.csr" 2>/dev/null
		printf 'basicConstraints=critical,CA:%s\n' \
			"$([ "${4:-}" = ca ] && echo TRUE || echo FALSE)" >"$T/$1.ext"
		openssl x509 -req -in "$T/$1.csr" -CA "$T/$3.crt" -CAkey "$T/$3.key" \
			-extfile "$T/$1.ext" -set_serial 0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n') -days 3650 \
			-out "$T/$1.crt" 2>/dev/null
	else
		openssl req -x509 -new -key "$T/$1.key" -subj "/CN=igos test $1" -days 3650 \
			-out "$T/$1.crt" 2>/dev/null
	fi
}

# The number of WIN_CERTIFICATE entries pesign lists.
pesign_count() { pesign -S -i "$1" 2>/dev/null | grep -c '^certificate address'; }
