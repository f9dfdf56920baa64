# SoftHSM2 test token, sourced by tests after tap.sh.
#   softhsm_token   makes $T/hsm: a copy of a cached token "igos-test" holding
#                   non-extractable keys rsa2048 (id 01), rsa4096 (02), p256 (03)
#                   and ed25519 (04), each with a certificate (same id and label)
#                   issued by a file CA. Sets:
#     SOFTHSM2_CONF  the token's config (exported)
#     HSM_MODULE     /usr/lib/softhsm/libsofthsm2.so
#     HSM_PIN_FILE   the user PIN in a 0600 file
#     HSM_PIN        the user PIN (for pkcs11-tool in tests only; never for igos)
#     HSM_DIR        $T/hsm, with ca.crt and <label>.crt (PEM) and <label>.pub (PEM)
#     HSM_URI        pkcs11:token=igos-test (add ;object=LABEL;type=private)
# The keys take seconds to make, so the token is made once per machine under
# ${IGOS_CACHE:-$HOME/.cache/igos-tests} and copied for each test.
HSM_MODULE=/usr/lib/softhsm/libsofthsm2.so
HSM_PIN=246810
HSM_SO_PIN=13579135
HSM_KEYS="rsa2048:01:rsa:2048 rsa4096:02:rsa:4096 p256:03:EC:prime256v1 ed25519:04:EC:edwards25519"

_hsm_build() { # DIR
	_d=$1
	mkdir -p "$_d/tokens"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$_d" >"$_d/softhsm2.conf"
	SOFTHSM2_CONF=$_d/softhsm2.conf softhsm2-util --init-token --free --label igos-test \
		--so-pin $HSM_SO_PIN --pin $HSM_PIN >/dev/null || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$_d/ca.key" -out "$_d/ca.crt" \
		-subj "/CN=igos test CA" -days 36500 2>/dev/null || return 1
	_serial=1
	for _k in $HSM_KEYS; do
		IFS=: read -r _label _id _type _arg <<-EOK
		$_k
		EOK
		SOFTHSM2_CONF=$_d/softhsm2.conf pkcs11-tool --module $HSM_MODULE \
			--token-label igos-test --login --pin $HSM_PIN --keypairgen \
			--key-type "$_type:$_arg" --id $_id --label $_label --usage-sign \
			--sensitive >/dev/null 2>&1 || return 1
		SOFTHSM2_CONF=$_d/softhsm2.conf pkcs11-tool --module $HSM_MODULE \
			--token-label igos-test --read-object --type pubkey --id $_id \
			-o "$_d/$_label.pub.der" >/dev/null 2>&1 || return 1
		openssl pkey -pubin -in "$_d/$_label.pub.der" -out "$_d/$_label.pub" ||
			return 1
		openssl req -new -key "$_d/ca.key" -subj "/CN=igos test $_label" \
			-out "$_d/$_label.csr" 2>/dev/null || return 1
		_serial=$((_serial + 1))
		openssl x509 -req -in "$_d/$_label.csr" -CA "$_d/ca.crt" -CAkey "$_d/ca.key" \
			-force_pubkey "$_d/$_label.pub" -set_serial $_serial -days 36500 \
			-out "$_d/$_label.crt" 2>/dev/null || return 1
		openssl x509 -in "$_d/$_label.crt" -outform DER -out "$_d/$_label.crt.der"
		SOFTHSM2_CONF=$_d/softhsm2.conf pkcs11-tool --module $HSM_MODULE \
			--token-label igos-test --login --pin $HSM_PIN --write-object \
			"$_d/$_label.crt.der" --type cert --id $_id --label $_label \
			>/dev/null 2>&1 || return 1
		rm -f "$_d/$_label.csr" "$_d/$_label.pub.der"
	done
}

softhsm_token() {
	need softhsm2-util pkcs11-tool openssl
	[ -r $HSM_MODULE ] || skip_all "SoftHSM2 module missing (make deps)"
	_cache=${IGOS_CACHE:-$HOME/.cache/igos-tests}/softhsm-v1
	if [ ! -f "$_cache/done" ]; then
		mkdir -p "${_cache%/*}"
		_tmp=$(mktemp -d "$_cache.tmp.XXXXXX")
		if ! _hsm_build "$_tmp"; then
			rm -rf "$_tmp"
			echo "Bail out! cannot make the SoftHSM2 test token"
			exit 1
		fi
		touch "$_tmp/done"
		# first one wins; a concurrent builder's copy is simply dropped
		mv -T "$_tmp" "$_cache" 2>/dev/null || rm -rf "$_tmp"
	fi
	HSM_DIR=$T/hsm
	mkdir -p "$HSM_DIR"
	cp -R "$_cache/tokens" "$HSM_DIR/tokens"
	cp "$_cache"/*.crt "$_cache"/*.pub "$HSM_DIR/"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$HSM_DIR" >"$HSM_DIR/softhsm2.conf"
	SOFTHSM2_CONF=$HSM_DIR/softhsm2.conf
	export SOFTHSM2_CONF
	HSM_PIN_FILE=$HSM_DIR/pin
	(umask 077 && printf '%s\n' $HSM_PIN >"$HSM_PIN_FILE")
	HSM_URI="pkcs11:token=igos-test"
}
