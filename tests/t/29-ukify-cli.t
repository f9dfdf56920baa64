#!/bin/sh
# igos-ukify: verbs, --help, --version, usage errors (exit 2).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
need igos-ukify "$STUB"
plan 19

run 0 "" "--help" igos-ukify --help
case $OUT in "usage: igos-ukify build --linux KERNEL"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "--help prints the usage on standard output"
run 0 "" "-h" igos-ukify -h
run 0 "" "build --help" igos-ukify build --help
run 0 "" "inspect -h" igos-ukify inspect -h
run 0 "" "--version" igos-ukify --version
is "$OUT" "igos-ukify 0.1" "--version prints the version"
run 0 "" "build -V" igos-ukify build -V

run 2 "*" "no verb" igos-ukify
run 2 "igos-ukify: unknown verb 'frob' (build, inspect or config)" "unknown verb" igos-ukify frob
run 2 "igos-ukify: the verb comes first (build, inspect or config), not '--linux'" "an option before the verb" igos-ukify --linux x build
run 2 "igos-ukify: unknown option '--frob'" "unknown option" igos-ukify build --frob
run 2 "igos-ukify: option '--linux' needs an argument" "missing option argument" igos-ukify build --linux
run 2 "igos-ukify: build needs --linux KERNEL (or --addon, or --profile for a profile PE)" "build without --linux" igos-ukify build -o x.efi
mkkernel vmlinuz 1.0-x
run 2 "igos-ukify: build needs -o OUT" "build without -o" igos-ukify build --linux vmlinuz
run 2 "igos-ukify: build takes no operands ('extra')" "build with an operand" \
	igos-ukify build --linux vmlinuz -o x.efi extra
run 2 "igos-ukify: --cmdline given twice" "a repeated option" \
	igos-ukify build --linux vmlinuz --cmdline a --cmdline b -o x.efi
run 2 "igos-ukify: --output given twice" "-o twice" igos-ukify build --linux vmlinuz -o a -o b
run 2 "igos-ukify: --section given twice" "inspect --section twice" \
	igos-ukify inspect --section .a --section .b x.efi
done_testing
