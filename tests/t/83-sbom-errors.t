#!/bin/sh
# Bad input: each is one exact error line, the documented exit status, and no
# output file (an old one is left as it was).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sbom.sh"
need igos-sbom setpriv
export SOURCE_DATE_EPOCH=1700000000
printf 'source\n' > src-1.tar.gz
printf 'patch\n' > fix.patch
printf 'binary\n' > app.efi

# fails STATUS ERROR DESC ARG...: igos-sbom ARG... -o out.json fails so and
# leaves out.json as it was.
fails() {
	_fs=$1 _fe=$2 _fd=$3; shift 3
	printf 'old\n' > out.json
	run "$_fs" "$_fe" "$_fd" igos-sbom "$@" -o out.json
	is "$(cat out.json)" "old" "$_fd: the old output is untouched"
	no_temps . "$_fd: no temporary file"
}

base="--name app --package-version 1 --source src-1.tar.gz --patch fix.patch --artifact app.efi"

# Files.
fails 1 "igos-sbom: cannot open 'gone.patch': No such file or directory" "a missing file" \
	$base --input gone.patch
mkdir sub
fails 1 "igos-sbom: cannot read 'sub': Is a directory" "a directory as a file" $base --input sub
rm -f out.json
run 1 "igos-sbom: cannot write 'nodir/x.json': No such file or directory" "an output in a missing directory" \
	igos-sbom $base -o nodir/x.json

# An unreadable file: as nobody (root reads anything).
chmod 755 "$T"
mkdir u && cp src-1.tar.gz fix.patch app.efi u/ && printf 'key\n' > u/secret.der && chmod 000 u/secret.der
if [ "$(id -u)" -eq 0 ]; then
	chown -R nobody u
	as() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else
	as() { "$@"; }
fi
mkdir u/bin && cp "$(command -v igos-sbom)" u/bin/
printf 'old\n' > u/out.json
run 1 "igos-sbom: cannot open 'secret.der': Permission denied" "an unreadable file" \
	as sh -c 'cd "$1" && shift && exec "$@"' sh "$T/u" ./bin/igos-sbom \
	$base --input secret.der -o out.json
is "$(cat u/out.json)" "old" "an unreadable file: the old output is untouched"

# Names that cannot make an SPDXID.
fails 2 "igos-sbom: name '+++' cannot make an SPDXID: it has no letter or digit" \
	"a package name without a letter or digit" --name '+++' --package-version 1
: > '_+_'
fails 2 "igos-sbom: name '_+_' cannot make an SPDXID: it has no letter or digit" \
	"a file name without a letter or digit" $base --input '_+_'
: > 'a b.patch'; : > 'a_b.patch'
fails 2 "igos-sbom: 'a b.patch' and 'a_b.patch' make the same SPDXID 'SPDXRef-File-a-b.patch'" \
	"two names that make one SPDXID" $base --input a_b.patch --input 'a b.patch'
fails 2 "igos-sbom: 'app.efi' and 'sub/../app.efi' make the same SPDXID 'SPDXRef-File-app.efi'" \
	"the same file twice" $base --input sub/../app.efi
bad=$(printf 'caf\351.patch')
: > "$bad"
fails 2 "igos-sbom: file name 'caf\\xe9.patch' is not valid UTF-8" "a file name that is not UTF-8" \
	$base --input "$bad"
fails 2 "igos-sbom: --name is not valid UTF-8" "a package name that is not UTF-8" \
	--name "$(printf 'caf\351')" --package-version 1

# Time.
for e in 12ab -5 1.5 '' ' 1' 0x10 01 99999999999999999999 253402300800 2023-11-14T22:13:20Z; do
	SOURCE_DATE_EPOCH=$e fails 2 "igos-sbom: invalid SOURCE_DATE_EPOCH '$e' (seconds since 1970)" \
		"SOURCE_DATE_EPOCH='$e'" $base
done
SOURCE_DATE_EPOCH=253402300799 run 0 "" "SOURCE_DATE_EPOCH=253402300799 (9999-12-31T23:59:59Z) is fine" \
	igos-sbom --name x --package-version 1
unset SOURCE_DATE_EPOCH
fails 2 "igos-sbom: SOURCE_DATE_EPOCH is not set and no --created is given" "no time at all" $base
for c in 2023-02-30T00:00:00Z '2023-11-14 22:13:20' 2023-11-14T22:13:20 2023-11-14T22:13:20+01:00 \
	2023-11-14T24:00:00Z 10000-01-01T00:00:00Z yesterday; do
	fails 2 "igos-sbom: invalid --created '$c' (seconds since 1970 or YYYY-MM-DDThh:mm:ssZ)" \
		"--created '$c'" $base --created "$c"
done
export SOURCE_DATE_EPOCH=1700000000

# Licenses that are not SPDX expressions.
lic() { fails 2 "igos-sbom: invalid license expression '$1': $2" "--license '$1'" $base --license "$1"; }
lic 'GPL 2' 'unexpected license (missing AND or OR?)'
lic 'MIT and BSD-3-Clause' 'unexpected license (missing AND or OR?)'
lic 'MIT OR' 'unexpected end'
lic '(MIT OR Apache-2.0' "missing ')'"
lic 'MIT/X11' "unexpected character '/'"
lic 'GPL-2.0-only WITH' 'WITH needs a license exception id'
lic '(MIT OR BSD-2-Clause) WITH Classpath-exception-2.0' "WITH follows a single license, not '(...)'"
lic 'LicenseRef-x+' "'+' follows a license id only"
lic 'MIT OR NONE' 'NONE and NOASSERTION stand alone'
lic '' 'empty'
run 0 "" "a good expression is accepted and normalised" igos-sbom --name x --package-version 1 \
	--license ' ( GPL-2.0-only WITH Linux-syscall-note  OR MIT)AND LicenseRef-InterGenOS '
is "$(printf '%s\n' "$OUT" | grep licenseDeclared)" \
	'      "licenseDeclared": "(GPL-2.0-only WITH Linux-syscall-note OR MIT) AND LicenseRef-InterGenOS",' \
	"licenseDeclared: the expression with single spaces"

# Other values with a form.
fails 2 "igos-sbom: invalid supplier 'InterGenOS' (Organization: NAME, Person: NAME or NOASSERTION)" \
	"a supplier without Organization: or Person:" $base --supplier InterGenOS
fails 2 "igos-sbom: invalid supplier 'Organization: ' (Organization: NAME, Person: NAME or NOASSERTION)" \
	"an empty organization" $base --supplier 'Organization: '
fails 2 "igos-sbom: invalid download location 'example.org/app.tar.gz' (a URL, NONE or NOASSERTION)" \
	"a download location that is not a URL" $base --download-location example.org/app.tar.gz
fails 2 "igos-sbom: invalid download location 'https://example.org/a b.tar.gz' (a URL, NONE or NOASSERTION)" \
	"a source URL with a space" --name x --package-version 1 --source 'src-1.tar.gz=https://example.org/a b.tar.gz'
fails 2 "igos-sbom: invalid download location '' (a URL, NONE or NOASSERTION)" \
	"an empty source URL" --name x --package-version 1 --source 'src-1.tar.gz='
fails 2 "igos-sbom: invalid namespace base 'https://example.org/sbom#x' (an absolute URI without '#')" \
	"a namespace base with '#'" $base --namespace-base 'https://example.org/sbom#x'
fails 2 "igos-sbom: invalid namespace base 'sbom/' (an absolute URI without '#')" \
	"a relative namespace base" $base --namespace-base sbom/
done_testing
