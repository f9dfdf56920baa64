# Helpers of the setup files of tests/t/996 (tests/docs/<doc>.sh), sourced by
# tests/lib/docs-run.bash. In the working directory:
#   docs_tokens [OBJ...] the SoftHSM fixture (tests/lib/softhsm.sh) plus tokens
#                        "mok" (object mok) and "release" (objects grub, uefi,
#                        verity, pcr: RSA with certificates OBJ.crt on the token
#                        and here; subkey: P-256), only the objects named (all
#                        without names); the fixture's PIN; PEM copies of each
#                        key as OBJ.pem, public keys OBJ.pub
#   docs_mok DIR         DIR/mok.key (0600), DIR/mok.crt (PEM), DIR/mok.der
#   docs_kernel          vmlinuz, initrd.img, os-release, cmdline (stand-ins)
. "$TESTLIB/softhsm.sh"

_docs_key() { # TOKEN OBJECT ID ALG-OPTIONS [CERT-CN]
	openssl genpkey $4 -out "$2.pem" 2>/dev/null && chmod 600 "$2.pem" &&
		openssl pkey -in "$2.pem" -pubout -out "$2.pub" &&
		openssl pkcs8 -topk8 -nocrypt -in "$2.pem" -out "$2.p8" &&
		softhsm2-util --import "$2.p8" --token "$1" --label "$2" --id "$3" \
			--pin "$HSM_PIN" >/dev/null || return 1
	rm -f "$2.p8"
	[ -n "${5:-}" ] || return 0
	openssl req -x509 -key "$2.pem" -subj "/CN=$5" -days 3650 -out "$2.crt" \
		-addext extendedKeyUsage=codeSigning 2>/dev/null &&
		openssl x509 -in "$2.crt" -outform DER -out "$2.crt.der" &&
		pkcs11-tool --module "$HSM_MODULE" --token-label "$1" --login --pin "$HSM_PIN" \
			--write-object "$2.crt.der" --type cert --id "$3" --label "$2" >/dev/null 2>&1
}

docs_tokens() { # [OBJECT...]: only those (default: all)
	need softhsm2-util pkcs11-tool openssl
	softhsm_token
	_want=" ${*:-mok grub uefi verity pcr subkey} "
	_rsa="-algorithm RSA -pkeyopt rsa_keygen_bits:2048"
	for _o in mok:mok:01:rsa grub:release:01:rsa uefi:release:02:rsa \
		verity:release:03:rsa pcr:release:04:rsa subkey:release:05:ec; do
		IFS=: read -r _n _t _id _a <<-EOT
		$_o
		EOT
		case $_want in *" $_n "*) ;; *) continue ;; esac
		softhsm2-util --show-slots 2>/dev/null | grep -q "Label: *$_t *$" ||
			softhsm2-util --init-token --free --label "$_t" --so-pin "$HSM_SO_PIN" \
				--pin "$HSM_PIN" >/dev/null || return 1
		if [ "$_a" = rsa ]; then
			_docs_key "$_t" "$_n" "$_id" "$_rsa" "igos docs $_t $_n" || return 1
		else
			_docs_key "$_t" "$_n" "$_id" "-algorithm EC -pkeyopt ec_paramgen_curve:P-256" ||
				return 1
		fi
	done
}

docs_mok() {
	mkdir -p "$1" &&
		(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/mok.key" \
			-out "$1/mok.crt" -subj "/CN=igos docs MOK" -days 3650 \
			-addext extendedKeyUsage=codeSigning 2>/dev/null) &&
		openssl x509 -in "$1/mok.crt" -outform DER -out "$1/mok.der"
}

docs_kernel() {
	head -c 300000 /dev/urandom >vmlinuz
	head -c 100000 /dev/urandom >initrd.img
	printf 'ID=intergenos\n' >os-release
	printf 'root=/dev/vda2 ro quiet\n' >cmdline
}
