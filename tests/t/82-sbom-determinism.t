#!/bin/sh
# Same inputs, same bytes: whatever the directory, the user, the umask, the
# time zone, the locale or the order of the arguments. One changed input byte
# changes the checksums and the namespace.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sbom.sh"
need igos-sbom openssl setpriv
mkdir a && cd a && { sbom_fixture || skip_all "cannot make the fixture"; } && cd "$T"
export SOURCE_DATE_EPOCH=1700000000

cd a
run 0 "" "first run: as $(id -un), umask 022, in $T/a" sbom_shim -o "$T/one.json"
cd "$T"

# The second run: another user, umask 077, another directory and time zone and
# locale, arguments in another order, paths absolute.
mkdir -p bin b/some/where/else
cp "$(command -v igos-sbom)" bin/
cp -R a/* b/some/where/else/
chmod 755 "$T"
if [ "$(id -u)" -eq 0 ]; then
	chown -R nobody b
	as=nobody
	user() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else
	as=$(id -un)
	user() { "$@"; }
fi
d=$T/b/some/where/else
run 0 "" "second run: as $as, umask 077, TZ and LANG set, in $d, arguments reordered" \
	user env -i PATH=/usr/bin:/bin HOME=/nonexistent USER=$as TZ=Asia/Tokyo LANG=C.UTF-8 \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" SOURCE_DATE_EPOCH=1700000000 sh -c 'umask 077 && cd "$1" && shift && exec "$@"' sh "$d" \
	"$T/bin/igos-sbom" -o "$d/two.json" --artifact "$d/build/shimx64.efi" \
	--patch "$d/patches/0002-sbat.patch" --input "$d/certs/vendor.der" \
	--license BSD-2-Clause-Patent --package-version 16.1 \
	--patch patches/0001-return-an-error.patch --supplier 'Organization: InterGenOS' \
	--source "$d/shim-16.1.tar.bz2=$SHIM_URL" --name shim
same one.json "$d/two.json" "identical bytes"
if [ "$as" = nobody ]; then
	is "$(stat -c %U:%a "$d/two.json")" "nobody:600" "the second output is nobody's, mode 600 by its umask"
else
	skip "not root: cannot run as another user" "the second run was another user's"
fi

cd a
run 0 "" "--created in ISO form instead of SOURCE_DATE_EPOCH" \
	env -u SOURCE_DATE_EPOCH "$T/bin/igos-sbom" --created 2023-11-14T22:13:20Z \
	--name shim --package-version 16.1 --supplier 'Organization: InterGenOS' \
	--license BSD-2-Clause-Patent --source "shim-16.1.tar.bz2=$SHIM_URL" \
	--patch patches/0001-return-an-error.patch --patch patches/0002-sbat.patch \
	--input certs/vendor.der --artifact build/shimx64.efi -o "$T/three.json"
same "$T/one.json" "$T/three.json" "the same bytes from --created"
run 0 "" "--created wins over SOURCE_DATE_EPOCH" sbom_shim --created 1700000000 -o "$T/four.json"
same "$T/one.json" "$T/four.json" "the same bytes again"
cd "$T"

ns() { sbom_q "$1" 'd["documentNamespace"]'; }

# One byte of the built shim changed.
cp -R a c
printf '\001' | dd of=c/build/shimx64.efi bs=1 seek=4096 conv=notrunc 2>/dev/null
cmp -s a/build/shimx64.efi c/build/shimx64.efi && diag "the byte did not change"
cd c
run 0 "" "run with one byte of shimx64.efi changed" sbom_shim -o "$T/five.json"
cd "$T"
nok "the document differs" cmp -s one.json five.json
ok "the namespace differs" test "$(ns one.json)" != "$(ns five.json)"
is "$("$PY" -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
def sums(d):
    return {(e["SPDXID"], c["algorithm"]): c["checksumValue"]
            for e in d["packages"] + d["files"] for c in e.get("checksums", [])}
sa, sb = sums(a), sums(b)
print(" ".join("%s/%s" % k for k in sorted(sa) if sa[k] != sb[k]))' one.json five.json)" \
	"SPDXRef-File-shimx64.efi/SHA1 SPDXRef-File-shimx64.efi/SHA256" \
	"exactly the shim's SHA1 and SHA256 changed"
ok "only the namespace and those checksums differ" sh -c \
	"diff one.json five.json | grep '^[<>]' | grep -v -e documentNamespace -e checksumValue | grep -q . && exit 1 || exit 0"

# One byte of a patch.
printf 'x' >> c/patches/0002-sbat.patch
cd c
run 0 "" "run with a byte added to a patch" sbom_shim -o "$T/six.json"
cd "$T"
ok "the patch changes the namespace" test "$(ns five.json)" != "$(ns six.json)"
ok "the rules still hold for the changed documents" sh -c \
	"$SPDX_CHECK five.json && $SPDX_CHECK six.json"
cd a
run 0 "" "another created time" sbom_shim --created 1700000001 -o "$T/seven.json"
cd "$T"
ok "the time is in the namespace's digest" test "$(ns one.json)" != "$(ns seven.json)"
done_testing
