#!/bin/sh
# igos-sbom's command line: help, version, usage errors (exit 2, one line).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sbom.sh"
need igos-sbom
export SOURCE_DATE_EPOCH=1700000000

run 0 "" "--help exits 0" igos-sbom --help
case $OUT in "usage: igos-sbom -n|--name NAME --package-version VERSION"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "--help prints the usage on stdout"
run 0 "" "-h exits 0" igos-sbom -h
run 0 "" "-V exits 0" igos-sbom -V
is "$OUT" "igos-sbom 0.1" "-V prints the version"
run 0 "" "--package-version alone exits 0" igos-sbom --version
is "$OUT" "igos-sbom 0.1" "--package-version alone prints the tool's version"

run 0 "" "the smallest SBOM: a name and a version" igos-sbom --name hello --package-version 1.0
is "$(printf '%s\n' "$OUT" | "$PY" -c 'import json, re, sys
d = json.load(sys.stdin)
print(d["packages"][0]["SPDXID"], d["packages"][0]["supplier"], d["packages"][0]["downloadLocation"],
      d["packages"][0]["licenseDeclared"], d["creationInfo"]["creators"],
      re.sub("[0-9a-f-]{36}$", "UUID", d["documentNamespace"]))')" \
	"SPDXRef-Package-hello NOASSERTION NOASSERTION NOASSERTION ['Tool: igos-sbom-0.1'] https://spdx.org/spdxdocs/hello-1.0-UUID" \
	"defaults: supplier, download location and license NOASSERTION; spdx.org namespace base"
run 0 "" "--namespace-base and --download-location" igos-sbom --name hello --package-version '1.0 beta' \
	--namespace-base https://intergenos.example/sbom/ --download-location 'git+https://example.org/hello.git@v1.0#src'
is "$(printf '%s\n' "$OUT" | "$PY" -c 'import json, re, sys
d = json.load(sys.stdin)
print(re.sub("[0-9a-f-]{36}$", "UUID", d["documentNamespace"]), d["packages"][0]["downloadLocation"])')" \
	"https://intergenos.example/sbom/hello-1.0-beta-UUID git+https://example.org/hello.git@v1.0#src" \
	"namespace: base, name and version (as idstrings), then the UUID"

run 2 "igos-sbom: unknown option '--bogus'" "an unknown option" \
	igos-sbom --bogus --name x --package-version 1
run 2 "igos-sbom: unknown option '-x'" "an unknown short option" igos-sbom -x
run 2 "igos-sbom: option '--name' needs an argument" "a missing option argument" \
	igos-sbom --package-version 1 --name
run 2 "igos-sbom: --name is required" "no --name" igos-sbom --package-version 1
run 2 "igos-sbom: --package-version is required" "no --package-version" igos-sbom --name x
run 2 "igos-sbom: --name is empty" "an empty --name" igos-sbom --name '' --package-version 1
run 2 "igos-sbom: --package-version is empty" "an empty --package-version" igos-sbom --name x --package-version ''
run 2 "igos-sbom: --name given twice" "--name twice" igos-sbom --name x -n y --package-version 1
run 2 "igos-sbom: --package-version given twice" "--package-version twice" igos-sbom --name x --package-version 1 --package-version 2
run 2 "igos-sbom: --license given twice" "--license twice" igos-sbom -l MIT --license MIT --name x --package-version 1
run 2 "igos-sbom: --output given twice" "-o twice" igos-sbom -o a -o b --name x --package-version 1
run 2 "igos-sbom: --created given twice" "--created twice" igos-sbom --created 1 --created 2 --name x --package-version 1
run 2 "igos-sbom: unexpected operand 'extra'" "an operand" igos-sbom --name x --package-version 1 extra
run 2 "igos-sbom: a build file cannot be standard input" "'-' as a file" \
	igos-sbom --name x --package-version 1 --input -
run 2 "igos-sbom: empty file name" "an empty file name" igos-sbom --name x --package-version 1 --artifact ''
run 2 "igos-sbom: no file name in 'build/'" "a directory path" igos-sbom --name x --package-version 1 --artifact build/
: > a.patch
run 2 "igos-sbom: --patch needs exactly one --source to apply to (0 given)" "a patch without a source" \
	igos-sbom --name x --package-version 1 --patch a.patch
: > x-1.tar.gz; : > y-1.tar.gz
run 2 "igos-sbom: --patch needs exactly one --source to apply to (2 given)" "a patch with two sources" \
	igos-sbom --name x --package-version 1 --patch a.patch --source y-1.tar.gz --source x-1.tar.gz
run 0 "" "two sources without patches are fine" \
	igos-sbom --name x --package-version 1 --source y-1.tar.gz --source x-1.tar.gz --artifact a.patch
is "$(printf '%s\n' "$OUT" | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
print(sorted(r["relatedSpdxElement"] for r in d["relationships"] if r["spdxElementId"] == "SPDXRef-File-a.patch"))')" \
	"['SPDXRef-Source-x-1.tar.gz', 'SPDXRef-Source-y-1.tar.gz']" "an artifact is GENERATED_FROM each source"
done_testing
