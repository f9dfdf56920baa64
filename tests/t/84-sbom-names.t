#!/bin/sh
# Names with quotes, backslashes, control characters and UTF-8 come out as
# valid JSON that reads back as the same names; SPDXIDs keep [A-Za-z0-9.-].
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sbom.sh"
need igos-sbom
export SOURCE_DATE_EPOCH=1700000000

# The odd names, made by Python so every byte is exact.
"$PY" -c '
names = ["quote\"d.patch", "back\\slash.patch", "new\nline.bin", "tab\tand\x01\x1f\x7f.bin",
         "caf\u00e9-\u4e2d\u6587-\U0001f512.cer", "sl/ash"[:2] + "ash.txt", "{\"json\": [1]}.txt",
         "<script>&amp;.txt"]
for n in names:
    open(n, "w").write(n)
open("names.list", "wb").write(b"\0".join(n.encode() for n in names))
'
: > src-1.0.tar.gz
set --
for f in *; do
	case $f in names.list|src-1.0.tar.gz) continue ;; esac
	set -- "$@" --input "$f"
done
run 0 "" "files with odd names" igos-sbom --name 'odd"name\' --package-version '1.0 "β"' \
	--supplier 'Person: Zoë "Q" \ Public' --source src-1.0.tar.gz "$@" -o odd.json
ok "the output is strict JSON in UTF-8" "$PY" -c '
import json, sys
json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"), strict=True)' odd.json
ok "no raw control character in the text" "$PY" -c '
import sys
t = open(sys.argv[1], "rb").read()
assert not [c for c in t if c < 0x20 and c != 0x0a], "raw control byte"' odd.json
ok "the file names read back exactly" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
want = sorted("./" + n.decode() for n in open("names.list", "rb").read().split(b"\0"))
got = [f["fileName"] for f in d["files"]]
assert got == want, (got, want)' odd.json
ok "name, version and supplier read back exactly" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["packages"][0]
assert (p["name"], p["versionInfo"], p["supplier"], d["name"]) == \
    ("odd\"name\\", "1.0 \"\u03b2\"", "Person: Zo\u00eb \"Q\" \\ Public", "odd\"name\\-1.0 \"\u03b2\""), p' odd.json
ok "SPDXIDs: each byte outside [A-Za-z0-9.-] became '-'" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-"
for f in d["files"]:
    want = "SPDXRef-File-" + "".join(chr(b) if b in ok else "-" for b in f["fileName"][2:].encode())
    assert f["SPDXID"] == want, (f["SPDXID"], want)' odd.json
ok "the spec's rules hold" $SPDX_CHECK odd.json
if [ -r "$SPDX_SCHEMA" ]; then
	ok "valid against the SPDX 2.3 JSON schema" $SPDX_CHECK --schema "$SPDX_SCHEMA" odd.json
else
	skip "SPDX 2.3 schema directory $SPDX_SCHEMA_DIR absent" "schema validation"
fi
cat > escaped.py <<'PY'
import sys
t = open(sys.argv[1], "rb").read()
for want in (rb'"./quote\"d.patch"', rb'"./back\\slash.patch"', rb'"./new\nline.bin"',
             rb'"./tab\tand\u0001\u001f' + b"\x7f" + rb'.bin"',
             '"./caf\u00e9-\u4e2d\u6587-\U0001f512.cer"'.encode()):
    assert want in t, want
PY
ok "quotes, backslashes, control characters escaped as JSON says; UTF-8 as is" \
	"$PY" escaped.py odd.json
done_testing
