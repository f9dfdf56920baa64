#!/bin/sh
# igos-verity dump shows the fields veritysetup dump shows (same text, less the
# title line) and --json; and the command line: --help, --version, usage errors.
. "${0%/*}/../lib/tap.sh"
need igos-verity veritysetup python3

head -c $((3000 * 1024)) /dev/urandom > d
U=7e1f7b61-2c3d-4e5f-8a9b-0c1d2e3f4a5b
for c in "--salt=- --hash=sha1 --format=0" "--salt=0011223344 --hash=sha512 --data-block-size=1024 --hash-block-size=512" \
	"--salt=abcdef --hash-offset=8192" "--salt=abcdef --data-blocks=100"; do
	rm -f h
	# shellcheck disable=SC2086
	veritysetup format --uuid=$U $c d h >/dev/null
	off=$(printf '%s\n' $c | sed -n 's/^--hash-offset=//p')
	off=${off:-0}
	veritysetup dump --hash-offset=$off h | sed 1d > want
	run 0 "" "dump ($c) runs" igos-verity dump --hash-offset=$off h
	printf '%s\n' "$OUT" > got
	same got want "dump ($c): the fields of veritysetup dump"
done

rm -f h
veritysetup format --uuid=$U --salt=abcdef --hash=sha256 d h >/dev/null
run 0 "" "dump --json runs" igos-verity dump --json h
printf '%s\n' "$OUT" > j
cat > check.py <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
want = {"uuid": sys.argv[2], "hash_type": 1, "data_blocks": 750, "data_block_size": 4096,
        "hash_blocks": 6 + 1, "hash_block_size": 4096, "hash_algorithm": "sha256",
        "salt": "abcdef", "hash_offset": 0, "hash_device_size": 8 * 4096}
sys.exit(0 if j == want else (print(j, file=sys.stderr) or 1))
PY
ok "dump --json: the fields, as numbers and strings" python3 check.py j $U
vs=$(veritysetup dump h | sed -n 's/^Hash blocks:[[:space:]]*//p')
is "$vs" 7 "veritysetup counts the same hash blocks"

# the command line
run 0 "" "--help" igos-verity --help
case $OUT in "usage: igos-verity format "*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "--help prints the usage on stdout"
run 0 "" "format --help" igos-verity format --help
run 0 "" "-V" igos-verity -V
is "$OUT" "igos-verity 0.1" "--version prints the version"
run 0 "" "dump --version" igos-verity dump --version
is "$OUT" "igos-verity 0.1" "a command's --version"
run 2 "igos-verity: no verb given (format, verify, dump, sign, open, close, status or attach; see --help)" "no command" igos-verity
run 2 "igos-verity: unknown verb 'frob' (format, verify, dump, sign, open, close, status or attach)" "unknown command" igos-verity frob
run 2 "igos-verity: unknown option '--bogus'" "unknown option" igos-verity format --bogus d h
run 2 "igos-verity: unknown option '--json'" "an option of another command" igos-verity format --json d h
run 2 "igos-verity: option '--hash' needs an argument" "missing option argument" igos-verity format d h --hash
run 2 "igos-verity: --hash given twice" "repeated option" igos-verity format --hash=sha1 --hash=sha1 d h
run 2 "igos-verity: expected 2 operands, got 1 (see --help)" "format: one operand" igos-verity format d
run 2 "igos-verity: expected 3 operands, got 4 (see --help)" "verify: four operands" igos-verity verify a b c d
run 2 "igos-verity: expected 1 operand, got 0 (see --help)" "dump: no operand" igos-verity dump
run 2 "igos-verity: expected 4 operands, got 3 (see --help)" "open: three operands" igos-verity open a b c
run 2 "igos-verity: expected 1 operand, got 2 (see --help)" "close: two operands" igos-verity close a b
run 2 "igos-verity: expected 1 operand, got 0 (see --help)" "status: no operand" igos-verity status
done_testing
