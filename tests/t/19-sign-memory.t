#!/bin/sh
# Memory does not grow with the image: sign, verify, hash and remove a 48 MiB
# PE with a peak RSS well under the image's size (the input is mapped, pages
# dropped once hashed, the output copied by the kernel).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 /usr/bin/time
snakeoil_keys
$MKPE make big.efi --size-mb 48 --trailing 3
limit=$((24 * 1024)) # KiB; the image is 48 MiB

rss() { # CMD...: runs it, prints its peak RSS in KiB
	/usr/bin/time -f '%M' -o rss.txt "$@" >/dev/null 2>&1 || { echo fail; return; }
	cat rss.txt
}
r=$(rss "$S" sign -k so.key -c so.crt -o big.signed big.efi)
ok "sign: peak RSS $r KiB < $limit KiB" test "$r" -lt $limit
r=$(rss "$S" verify -c so.crt big.signed)
ok "verify: peak RSS $r KiB < $limit KiB" test "$r" -lt $limit
r=$(rss "$S" hash big.signed)
ok "hash: peak RSS $r KiB < $limit KiB" test "$r" -lt $limit
r=$(rss "$S" remove --all -o big.plain big.signed)
ok "remove: peak RSS $r KiB < $limit KiB" test "$r" -lt $limit
is "$("$S" hash big.plain)" "$("$S" hash big.efi)" "the large image round-trips"
ok "sbverify accepts the large signed image" sbverify --cert so.crt big.signed
done_testing
