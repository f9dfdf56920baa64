#!/bin/sh
# Output that shows bytes from an input cannot drive the reader's terminal:
# control bytes, DEL, C1 controls, bidi overrides and invalid UTF-8 come out
# escaped (\xNN, \uNNNN) in every human-readable output and error message:
# igos-ukify inspect, igos-sign list, igos-mok list and pending, and the
# library's messages (a hash algorithm from a verity superblock, a name in an
# index, a bank in a .pcrsig). --json stays JSON-escaped.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
. "$TESTLIB/mok.sh"
. "$TESTLIB/ukify.sh"
. "$TESTLIB/index.sh"
need python3 openssl xxd grep
printf 'x' | grep -qP 'x' 2>/dev/null || skip_all "grep -P not available"
plan 22

# clean FILE DESC: no C0 control but \n and \t, no DEL, no C1 (as UTF-8 or as a
# byte), no bidi override or isolate, and valid UTF-8
clean() {
	if LC_ALL=C grep -qaP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$1" ||
		! python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" 2>/dev/null; then
		_tap_result 1 "$2"; diag "raw bytes in:" "$(od -c "$1" | head -20)"
	else
		_tap_result 0 "$2"
	fi
}
# has FILE TEXT DESC: FILE holds TEXT (fixed string)
has() {
	if grep -qF -- "$2" "$1"; then _tap_result 0 "$3"; else
		_tap_result 1 "$3"; diag "'$2' not in:" "$(cat "$1")"; fi
}

# ---- igos-ukify inspect: a .cmdline that retitles and clears the terminal,
# a section whose name is a control sequence
mkkernel vmlinuz 6.1.0-test
attack=$(printf '\033]0;pwned\007\033[2J')
igos-ukify build --linux vmlinuz --cmdline "root=/dev/sda ${attack}quiet" \
	--section ".evil:hi" --stub "$IGOS_BUILD/efi/igos-stubx64.efi" -o u.efi || exit 1
python3 - u.efi <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.index(b".evil\0\0\0", 0, 4096)
b[i:i + 8] = b"\x1b[2J\x07\x9b\0\0"
open(p, "wb").write(b)
EOF
run 0 "" "inspect of a UKI with control sequences" igos-ukify inspect u.efi
printf '%s\n' "$OUT" >inspect.out
clean inspect.out "inspect: no raw control byte reaches the terminal"
has inspect.out '    root=/dev/sda \x1b]0;pwned\x07\x1b[2Jquiet' "inspect: .cmdline shown escaped"
has inspect.out '\x1b[2J\x07\x9b:' "inspect: the section name shown escaped"
run 0 "" "inspect --json" igos-ukify inspect --json u.efi
printf '%s\n' "$OUT" >inspect.json
clean inspect.json "inspect --json: no raw control byte either"
ok "inspect --json: still JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' inspect.json

# ---- a certificate whose subject holds ESC, BEL, CSI as a C1 control and a
# right-to-left override (what a hostile MOK or signer certificate can hold)
evilcn=$(printf 'evil\033]0;pwned\007x\302\233y\342\200\256z')
mkcert ev -utf8 -subj "/CN=$evilcn" || skip_all "openssl cannot make the certificate"
chmod 600 ev.key
$MKPE make a.efi
"$S" sign -k ev.key -c ev.pem -o s.efi a.efi || exit 1
run 0 "" "igos-sign list of an image signed by that certificate" "$S" list s.efi
printf '%s\n' "$OUT" >list.out
clean list.out "igos-sign list: nothing raw"
has list.out 'x\u009by\u202ez' "igos-sign list: the C1 control and the override shown escaped"
run 0 "" "igos-sign list --json" "$S" list --json s.efi
printf '%s\n' "$OUT" >list.json
ok "igos-sign list --json: JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' list.json

# ---- igos-mok list and pending of the same certificate
efidir e
esl_x509 ev.der >ev.esl
efivar e MokListRT $SHIM_GUID 06000000 <ev.esl
efivar e MokNew $SHIM_GUID 07000000 <ev.esl
run 0 "" "igos-mok list" igos-mok list --efivars e
printf '%s\n' "$OUT" >mok.out
clean mok.out "igos-mok list: nothing raw"
has mok.out 'x\u009by\u202ez' "igos-mok list: the subject shown escaped"
run 0 "*" "igos-mok pending" igos-mok pending --efivars e
printf '%s\n%s\n' "$OUT" "$ERR" >pending.out
clean pending.out "igos-mok pending: nothing raw"

# ---- the library's messages name input bytes: escaped too
head -c 65536 /dev/zero >img
igos-verity format img img.verity >/dev/null || exit 1
printf '\033[2J\000' | dd of=img.verity bs=1 seek=32 conv=notrunc 2>/dev/null
run 1 "igos-verity: 'img.verity': invalid verity superblock: unknown hash algorithm '\\x1b[2J'" \
	"a hash algorithm from a superblock" igos-verity dump img.verity
printf '{"sha256\033[2J":[]}' >bad.pcrsig
run 1 "*" "a bank name from a .pcrsig" igos-measure verify -P ev.pem bad.pcrsig --linux vmlinuz
printf '%s\n' "$ERR" >measure.err
clean measure.err "igos-measure: the message holds nothing raw"
idx_keys
idx_mkcert c.cert
printf 'igos-index v1\na\033[2J..pkg 1 %064d\n' 0 >bad.db
run 1 "*" "a file name from an index" igos-index-sign sign --key p256.pem --cert c.cert \
	--repo core --arch x86_64 --version 1 --now 2026-06-02T00:00:00Z -o bad.sig bad.db
printf '%s\n' "$ERR" >index.err
clean index.err "igos-index-sign: the message holds nothing raw"
done_testing
