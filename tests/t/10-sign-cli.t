#!/bin/sh
# igos-sign: help, version and usage errors (exit 2, one line, nothing written).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3
$MKPE make a.efi

run 0 "" "--help exits 0" "$S" --help
case $OUT in *"igos-sign sign   -k|--key KEY -c|--cert CERT"*"igos-sign hash   FILE"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "--help prints the synopsis of every verb on stdout"
run 0 "" "verb --help exits 0" "$S" sign --help
run 0 "" "--version exits 0" "$S" --version
is "$OUT" "igos-sign 0.1" "--version prints the version"
run 0 "" "-V after a verb" "$S" hash -V
is "$OUT" "igos-sign 0.1" "-V prints the version"

run 2 "igos-sign: no verb given (sign, verify, list, remove, hash, show-request, sign-request or attach; see --help)" \
	"no verb" "$S"
run 2 "igos-sign: unknown verb 'frob' (sign, verify, list, remove, hash, show-request, sign-request or attach)" \
	"unknown verb" "$S" frob a.efi
run 2 "igos-sign: hash: expected exactly one FILE operand" "no operand" "$S" hash
run 2 "igos-sign: hash: expected exactly one FILE operand" "two operands" "$S" hash a.efi a.efi
run 2 "igos-sign: unknown option '-x'" "unknown short option" "$S" hash -x a.efi
run 2 "igos-sign: unknown option '--frob'" "unknown long option" "$S" list --frob a.efi
run 2 "igos-sign: option '-k' needs an argument" "missing option argument" "$S" sign a.efi -k
run 2 "igos-sign: sign: -k KEY and -c CERT are required" "sign without a key" \
	"$S" sign -c x.crt a.efi
run 2 "igos-sign: --key given twice" "repeated -k" "$S" sign -k a -k b -c c a.efi
run 2 "igos-sign: --cert given twice" "repeated -c for sign" "$S" sign -k a -c b -c c a.efi
run 2 "igos-sign: --output given twice" "repeated -o" "$S" remove --all -o x -o y a.efi
run 2 "igos-sign: --json given twice" "repeated --json" "$S" list --json --json a.efi
run 2 "igos-sign: hash: -k is only for sign and sign-request" "-k outside sign" "$S" hash -k a a.efi
run 2 "igos-sign: hash: -o is only for sign, remove, sign-request and attach" "-o for hash" "$S" hash -o x a.efi
run 2 "igos-sign: sign: --json is only for verify and list" "--json for sign" \
	"$S" sign --json -k a -c b a.efi
run 2 "igos-sign: remove: give exactly one of -n INDEX and --all" "remove needs -n or --all" \
	"$S" remove a.efi
run 2 "igos-sign: remove: give exactly one of -n INDEX and --all" "remove: not both" \
	"$S" remove -n 1 --all a.efi
run 2 "igos-sign: -n: bad signature index '0'" "index 0" "$S" remove -n 0 a.efi
run 2 "igos-sign: -n: bad signature index '01'" "index with a leading zero" "$S" remove -n 01 a.efi
run 2 "igos-sign: --index given twice" "repeated -n" "$S" remove -n 1 -n 2 a.efi
run 2 "igos-sign: --replace given twice" "repeated --replace" \
	"$S" sign --replace --replace -k a -c b a.efi
run 2 "igos-sign: verify: --replace is only for sign" "--replace outside sign" \
	"$S" verify --replace a.efi
is "$(ls -A | grep -v -e '^out$' -e '^err$')" "a.efi" "usage errors write nothing"
done_testing
