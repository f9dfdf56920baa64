#!/bin/sh
# igos-sbom over an igos-grub image: the artifact's comment names the GRUB
# package (from its SBAT), its SBAT rows and the modules built in -- the
# closure of the modules igos-grub asked for under GRUB's own moddep.lst --
# and the document stays valid SPDX 2.3. Another PE artifact gets no comment.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sbom.sh"
need igos-grub igos-sbom
MODDIR=/usr/lib/grub/x86_64-efi
[ -f "$MODDIR/moddep.lst" ] || skip_all "$MODDIR missing (make deps: grub-efi-amd64-bin)"
plan 8
export SOURCE_DATE_EPOCH=1700000000

igos-grub build -o grubx64.efi || exit 1
ver=$(sed -n 's/^grub_package_version="\(.*\)"/\1/p' "$MODDIR/modinfo.sh")
run 0 "" "igos-sbom with the GRUB image and shim as artifacts" \
	igos-sbom --name grub --package-version "$ver" --artifact grubx64.efi --artifact /usr/lib/shim/shimx64.efi \
	-o grub.spdx.json
c=$(sbom_q grub.spdx.json '[f.get("comment", "") for f in d["files"] if f["fileName"] == "./grubx64.efi"][0]')
is "${c%%; modules:*}" "GRUB image; package grub2 $ver; SBAT: sbat,1, grub,5, grub.intergenos,1" \
	"the comment: GRUB package and version, SBAT rows"
is "${c##*; }" "memdisk" "and that the configuration is in a memdisk"
# the modules igos-grub asks for, closed under moddep.lst
closure() {
	want="cat chain configfile echo efi_gop efi_uga fat halt ls memdisk minicmd normal part_gpt part_msdos password_pbkdf2 reboot regexp sleep tar test true"
	while :; do
		more=$(for m in $want; do sed -n "s/^$m://p" "$MODDIR/moddep.lst"; done | tr ' ' '\n' | grep .)
		new=$(printf '%s\n' $want $more | sort -u)
		[ "$new" = "$(printf '%s\n' $want | sort -u)" ] && break
		want=$new
	done
	printf '%s\n' $want | sort -u
}
got=$(printf '%s' "$c" | sed 's/.*; modules: //; s/; memdisk$//' | tr ' ' '\n' | sort)
is "$got" "$(closure)" "the modules are those asked for and what moddep.lst says they need"
is "$(sbom_q grub.spdx.json '[f.get("comment", "-") for f in d["files"] if f["fileName"] == "./shimx64.efi"][0]')" \
	"-" "shim (no GRUB modules) has no comment"
ok "the spec's rules hold" $SPDX_CHECK --forbid "$T" grub.spdx.json
if [ -r "$SPDX_SCHEMA" ]; then
	ok "valid against the SPDX 2.3 JSON schema" "$PY" -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])), cls=jsonschema.Draft7Validator)' \
		"$SPDX_SCHEMA" grub.spdx.json
else
	skip "SPDX 2.3 schema directory $SPDX_SCHEMA_DIR absent" "schema validation"
fi
# a GRUB image whose module area is cut short is an error, not a silent omission
python3 -c '
import sys
d = bytearray(open("grubx64.efi", "rb").read())
pe = int.from_bytes(d[0x3c:0x40], "little")
n = int.from_bytes(d[pe + 6:pe + 8], "little")
sh = pe + 24 + int.from_bytes(d[pe + 20:pe + 22], "little")
i = [int.from_bytes(d[sh + 40 * k + 20:sh + 40 * k + 24], "little") for k in range(n)
     if d[sh + 40 * k:sh + 40 * k + 8].rstrip(b"\0") == b"mods"][0]
assert d[i:i + 4] == b"mimg"
d[i + 16:i + 24] = (1 << 40).to_bytes(8, "little")
open("bad.efi", "wb").write(d)'
run 1 "igos-sbom: 'bad.efi': GRUB modules: module info sizes out of the section" \
	"a broken module area is refused" igos-sbom --name g --package-version 1 --artifact bad.efi -o bad.json
done_testing
