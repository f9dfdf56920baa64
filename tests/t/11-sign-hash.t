#!/bin/sh
# igos-sign hash: the Authenticode digest equals pesign's (as a signer embeds
# it, `pesign -h -P`) for PE32 and PE32+, odd sizes and trailing data; images
# with gaps between sections are refused.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 pesign
snakeoil_keys

pesign_hash() { pesign -h -P -i "$1" | sed -n 's/^hash: //p'; }

n=0
for args in "" "--pe32" "--trailing 1" "--trailing 3 --seed 2" "--pe32 --trailing 13 --seed 3" \
	"--sections 9 --trailing 4 --seed 4" "--sections 1 --trailing 8 --seed 5" \
	"--pe32 --sections 5 --trailing 7 --seed 6"; do
	n=$((n + 1))
	$MKPE make "p$n.efi" $args
	run 0 "" "hash of a generated image ($args)" "$S" hash "p$n.efi"
	is "$OUT" "$(pesign_hash "p$n.efi")" "equals pesign -h -P ($args, $(wc -c <"p$n.efi") bytes)"
done

# Debian's own EFI binaries (one of them has a COFF symbol table after the sections)
for f in /usr/lib/systemd/boot/efi/linuxx64.efi.stub /usr/lib/systemd/boot/efi/systemd-bootx64.efi \
	/usr/lib/shim/shimx64.efi; do
	if [ -r "$f" ]; then
		run 0 "" "hash of $f" "$S" hash "$f"
		is "$OUT" "$(pesign_hash "$f")" "equals pesign -h -P for $f"
	else
		skip "$f missing (make deps)" "hash of $f"
		skip "$f missing (make deps)" "equals pesign for $f"
	fi
done

# from stdin, pipe and redirect
run 0 "" "hash of a pipe" sh -c "cat p3.efi | '$S' hash -"
is "$OUT" "$(pesign_hash p3.efi)" "the piped digest is the same"
run 0 "" "hash of stdin redirected from the file" sh -c "'$S' hash - <p3.efi"
is "$OUT" "$(pesign_hash p3.efi)" "the redirected digest is the same"

# a signed image hashes as it did unsigned (the table and its padding excluded)
sbsign --key so.key --cert so.crt --output p3.signed p3.efi 2>/dev/null
run 0 "" "hash of an sbsign-signed image" "$S" hash p3.signed
is "$OUT" "$(pesign_hash p3.efi)" "signing does not change the digest"

# gaps between sections: firmware and the peers disagree on them
$MKPE make gap.efi --gap
run 1 "igos-sign: 'gap.efi': gap of 512 bytes in the PE section table before section '.s1'" \
	"an image with a gap between sections is refused" "$S" hash gap.efi
run 1 "igos-sign: 'gap.efi': gap of 512 bytes in the PE section table before section '.s1'" \
	"and not signed" "$S" sign -k so.key -c so.crt -o gap.out gap.efi
nok "no output for the gapped image" test -e gap.out

# modules: the SHA-256 of the module bytes without the signature
printf 'int f(void) { return 1; }\n' >m.c && cc -c m.c -o m.ko
run 0 "" "hash of a module" "$S" hash m.ko
is "$OUT" "$(sha256sum <m.ko | cut -d' ' -f1)" "a module's hash is its SHA-256"
done_testing
