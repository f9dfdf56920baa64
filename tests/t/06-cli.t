#!/bin/sh
# The command line every igos command shares (lib/cli.c): --help and --version,
# the same words for a missing or unknown verb, an unknown option, a missing
# argument and an option given twice, -v accepted everywhere, and long options
# never abbreviated.
. "${0%/*}/../lib/tap.sh"
need igos-sign igos-ukify igos-verity igos-mok igos-measure igos-index-sign \
	igos-index-verify igos-sbom
plan 75

# TOOL "VERBS AS LISTED" VERB OPTION-THAT-TAKES-AN-ARGUMENT ITS-PREFIX
while IFS='|' read -r tool verbs verb opt prefix; do
	run 0 "" "$tool --help" $tool --help
	case $OUT in "usage: $tool"*) r=0 ;; *) r=1 ;; esac
	is "$r" 0 "$tool --help prints the usage on stdout"
	run 0 "" "$tool -V" $tool -V
	is "$OUT" "$tool 0.1" "$tool -V prints the version"
	run 2 "$tool: no verb given ($verbs; see --help)" "$tool without a verb" $tool
	run 2 "$tool: unknown verb 'frob' ($verbs)" "$tool with an unknown verb" $tool frob
	run 2 "$tool: unknown option '--no-such-option'" "$tool $verb: an unknown option" \
		$tool $verb --no-such-option
	run 2 "$tool: option '$opt' needs an argument" "$tool $verb: a missing argument" \
		$tool $verb "$opt"
	run 2 "$tool: unknown option '$prefix'" "$tool $verb: $prefix is not taken for $opt" \
		$tool $verb "$prefix=x"
done <<'EOF'
igos-sign|sign, verify, list, remove, hash, show-request, sign-request or attach|sign|--key|--ke
igos-ukify|build, inspect or config|build|--linux|--lin
igos-verity|format, verify, dump, sign, open, close, status or attach|format|--salt|--sal
igos-mok|new, import, delete, revoke, list, pending, test, sb-state, reset, trust-mok, untrust-mok, validation, timeout, verbose, sbat-policy or sbat|new|--subject|--subj
igos-measure|calculate, sign, verify, status, attach, policy-digest or pcr12|calculate|--bank|--ban
igos-index-sign|build, certify, sign or attach|build|--output|--out
igos-index-verify|verify, check or init|check|--state|--stat
EOF

# igos-sbom has no verbs
run 0 "" "igos-sbom --help" igos-sbom --help
run 0 "" "igos-sbom --version" igos-sbom --version
is "$OUT" "igos-sbom 0.1" "igos-sbom --version prints the version"
run 2 "igos-sbom: --version takes no argument (the package's version is --package-version)" \
	"igos-sbom: --version beside other arguments is refused" igos-sbom --name x --version 1
run 2 "igos-sbom: unknown option '--nam'" "igos-sbom: --nam is not taken for --name" \
	igos-sbom --nam x --package-version 1

# the same message for an option given twice, by its long name
run 2 "igos-verity: --salt given twice" "twice: igos-verity" igos-verity format --salt 00 --salt 00 a b
run 2 "igos-index-verify: --repo given twice" "twice: igos-index-verify" \
	igos-index-verify check -r a -r b x
run 2 "igos-measure: --json given twice" "twice: igos-measure" igos-measure calculate -j --json x

# -v is an option of every verb: a failure is still one line of ours last
run 1 "*" "-v accepted by igos-verity dump" igos-verity dump -v missing.img
is "$(tail -n 1 err)" "igos-verity: cannot open 'missing.img': No such file or directory" \
	"-v: the last line is the one-line error"
run 1 "*" "-v accepted by igos-mok test" igos-mok test -v missing.der

# an option where the verb belongs
run 2 "igos-sign: the verb comes first (sign, verify, list, remove, hash, show-request, sign-request or attach), not '-k'" \
	"an option before the verb" igos-sign -k x sign a.efi
