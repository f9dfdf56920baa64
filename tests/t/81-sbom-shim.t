#!/bin/sh
# The shim SBOM: a source tarball, two patches, a vendor certificate and a
# built shimx64.efi, checked against the SPDX 2.3 schema and the spec's rules.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sbom.sh"
need igos-sbom openssl sha1sum sha256sum
sbom_fixture || skip_all "cannot make the fixture"
export SOURCE_DATE_EPOCH=1700000000

run 0 "" "SBOM of the shim build" sbom_shim -o shim.spdx.json
is "$OUT" "" "nothing on stdout with -o"
no_temps . "no temporary file left"

# The schema, then the rules the schema leaves out.
if [ -r "$SPDX_SCHEMA" ]; then
	ok "valid against the SPDX 2.3 JSON schema ($SPDX_SCHEMA)" \
		"$PY" -c 'import json, sys, jsonschema
jsonschema.Draft7Validator.check_schema(json.load(open(sys.argv[1])))
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])),
                    cls=jsonschema.Draft7Validator)' "$SPDX_SCHEMA" shim.spdx.json
else
	skip "SPDX 2.3 schema directory $SPDX_SCHEMA_DIR absent" "schema validation"
fi
ok "the spec's rules hold (namespace, SHA1 on files, relationships, sorting)" \
	$SPDX_CHECK --forbid "$T" shim.spdx.json

# What is in it, against coreutils and date(1).
is "$(sbom_q shim.spdx.json 'd["creationInfo"]["created"]')" \
	"$(date -u -d @1700000000 +%Y-%m-%dT%H:%M:%SZ)" "created is SOURCE_DATE_EPOCH in UTC"
is "$(sbom_q shim.spdx.json 'd["creationInfo"]["creators"]')" \
	"['Organization: InterGenOS', 'Tool: igos-sbom-0.1']" "creators: the supplier and the tool"
is "$(sbom_q shim.spdx.json 'd["name"]')" "shim-16.1" "document name"
for f in shim-16.1.tar.bz2 patches/0001-return-an-error.patch patches/0002-sbat.patch \
	certs/vendor.der build/shimx64.efi; do
	b=${f##*/}
	got=$(sbom_q shim.spdx.json "[(c['algorithm'], c['checksumValue']) for e in
		d['packages'] + d.get('files', []) if e.get('fileName', './' + e.get('packageFileName', ''))
		== './$b' for c in e['checksums']]")
	want="[('SHA1', '$(sha1sum < "$f" | cut -d' ' -f1)'), ('SHA256', '$(sha256sum < "$f" | cut -d' ' -f1)')]"
	is "$got" "$want" "$b: SHA1 and SHA256 as sha1sum and sha256sum"
done
is "$(sbom_q shim.spdx.json '[(p["SPDXID"], p["downloadLocation"], p["filesAnalyzed"], p["primaryPackagePurpose"]) for p in d["packages"]]')" \
	"[('SPDXRef-Package-shim', 'NOASSERTION', False, 'APPLICATION'), ('SPDXRef-Source-shim-16.1.tar.bz2', '$SHIM_URL', False, 'SOURCE')]" \
	"packages: the built shim and its source tarball (URL, filesAnalyzed false)"
is "$(sbom_q shim.spdx.json '[(p["supplier"], p["versionInfo"], p["licenseDeclared"]) for p in d["packages"][:1]]')" \
	"[('Organization: InterGenOS', '16.1', 'BSD-2-Clause-Patent')]" "supplier, version, license"
is "$(sbom_q shim.spdx.json '"\n".join(" ".join(r.values()) for r in d["relationships"])')" \
"SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-shim
SPDXRef-File-0001-return-an-error.patch PATCH_APPLIED SPDXRef-Source-shim-16.1.tar.bz2
SPDXRef-File-0002-sbat.patch PATCH_APPLIED SPDXRef-Source-shim-16.1.tar.bz2
SPDXRef-File-shimx64.efi GENERATED_FROM SPDXRef-Source-shim-16.1.tar.bz2
SPDXRef-File-vendor.der BUILD_DEPENDENCY_OF SPDXRef-Package-shim
SPDXRef-Package-shim CONTAINS SPDXRef-File-shimx64.efi
SPDXRef-Package-shim GENERATED_FROM SPDXRef-Source-shim-16.1.tar.bz2" \
	"relationships: DESCRIBES, PATCH_APPLIED, GENERATED_FROM, BUILD_DEPENDENCY_OF, CONTAINS"
ok "fixed key order, two-space indentation, LF, final newline" "$PY" -c '
import sys
t = open(sys.argv[1], "rb").read()
assert t.endswith(b"\n}\n") and b"\r" not in t and b"\t" not in t
keys = [l.split(b"\"")[1] for l in t.split(b"\n") if l.startswith(b"  \"")]
assert keys == [b"spdxVersion", b"dataLicense", b"SPDXID", b"name", b"documentNamespace",
                b"creationInfo", b"packages", b"files", b"relationships"], keys
' shim.spdx.json
run 0 "" "without -o the SBOM goes to stdout" sbom_shim
printf '%s\n' "$OUT" > stdout.json
same stdout.json shim.spdx.json "stdout and -o give the same bytes"

# The checks catch what they are there for.
mutate() { # NAME PYTHON-STATEMENT: a copy of the document with d changed
	"$PY" -c 'import json, sys
d = json.load(open("shim.spdx.json"))
exec(sys.argv[2])
open(sys.argv[1], "w").write(json.dumps(d, indent=2) + "\n")' "$1" "$2"
}
mutate two.json 'd["relationships"].append(dict(d["relationships"][0]))'
nok "the rules check refuses two DESCRIBES" $SPDX_CHECK two.json
mutate dangling.json 'd["relationships"][1]["relatedSpdxElement"] = "SPDXRef-Source-gone"'
nok "the rules check refuses a relationship to a missing element" $SPDX_CHECK dangling.json
mutate nosha1.json 'd["files"][0]["checksums"] = d["files"][0]["checksums"][1:]'
nok "the rules check refuses a file without SHA1" $SPDX_CHECK nosha1.json
mutate hash.json 'd["documentNamespace"] += "#x"'
nok "the rules check refuses a namespace with '#'" $SPDX_CHECK hash.json
"$PY" -c 'import sys
t = open("shim.spdx.json").read().replace("BSD-2-Clause-Patent", "MIT", 1)
open("stale.json", "w").write(t)'
nok "the rules check refuses a namespace that is not of this content" $SPDX_CHECK stale.json
if [ -r "$SPDX_SCHEMA" ]; then
	mutate badpurpose.json 'd["packages"][0]["primaryPackagePurpose"] = "SHIM"'
	nok "the schema step refuses what the schema forbids" $SPDX_CHECK --schema "$SPDX_SCHEMA" badpurpose.json
else
	skip "SPDX 2.3 schema directory $SPDX_SCHEMA_DIR absent" "the schema step refuses a bad purpose"
fi
done_testing
