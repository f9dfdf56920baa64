#!/bin/sh
# igos-sbkeys' command line: --help, --version, every usage error one line
# with exit 2, bad inputs one line with exit 1, no output file left behind.
. "${0%/*}/../lib/tap.sh"
need igos-sbkeys openssl
plan 31

run 0 "" "--help" igos-sbkeys --help
case $OUT in "usage: igos-sbkeys new -d DIR"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "--help prints the usage on stdout"
run 0 "" "--version" igos-sbkeys --version
is "$OUT" "igos-sbkeys 0.1" "--version says igos-sbkeys 0.1"
run 2 "igos-sbkeys: no verb given (new, esl, auth, attach, enroll, dbx, status, list or rotate; see --help)" \
	"no verb: exit 2" igos-sbkeys
run 2 "igos-sbkeys: unknown verb 'bogus' (new, esl, auth, attach, enroll, dbx, status, list or rotate)" \
	"unknown verb: exit 2" igos-sbkeys bogus

openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=k -keyout k.key -out k.crt 2>/dev/null
openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=o -keyout o.key -out o.crt 2>/dev/null
chmod 600 k.key o.key
igos-sbkeys esl -o a.esl k.crt
G=11111111-2222-3333-4444-555555555555
A="-k k.key -c k.crt"
run 2 "igos-sbkeys: esl needs -o OUT.esl" "esl without -o" igos-sbkeys esl k.crt
run 2 "igos-sbkeys: esl needs at least one certificate" "esl without input" igos-sbkeys esl -o x
run 2 "igos-sbkeys: bad GUID 'nope'" "esl with a bad GUID" igos-sbkeys esl -g nope -o x k.crt
run 2 "igos-sbkeys: --output given twice" "-o twice" igos-sbkeys esl -o x -o y k.crt
run 2 "igos-sbkeys: unknown option '--has'" "no abbreviated options" igos-sbkeys esl --has -o x k.crt
run 2 "igos-sbkeys: auth needs -k KEY, -c CERT and -o OUT.auth" "auth without -o" \
	igos-sbkeys auth $A db a.esl
run 2 "igos-sbkeys: auth takes VAR and IN.esl" "auth with one operand" igos-sbkeys auth $A -o x db
run 2 "igos-sbkeys: 'Foo' is not PK, KEK, db, dbx, dbt or dbr: give its GUID with -g" \
	"auth of an unknown variable without -g" igos-sbkeys auth $A -o x Foo a.esl
run 2 "igos-sbkeys: -g: db belongs to its own GUID, not $G" "auth: -g that is not db's" \
	igos-sbkeys auth -g $G $A -o x db a.esl
run 2 "igos-sbkeys: bad timestamp '2025-13-01': want 'YYYY-MM-DD HH:MM:SS'" "auth: bad -t" \
	igos-sbkeys auth -t 2025-13-01 $A -o x db a.esl
run 2 "igos-sbkeys: bad timestamp '2025-02-30 00:00:00': no such time" "auth: February 30" \
	igos-sbkeys auth -t '2025-02-30 00:00:00' $A -o x db a.esl
run 2 "igos-sbkeys: new needs -d DIR" "new without -d" igos-sbkeys new
run 2 "igos-sbkeys: --bits must be 2048, 3072 or 4096" "new --bits 1024" \
	igos-sbkeys new -d n --bits 1024
run 2 "igos-sbkeys: enroll needs -d DIR (made by igos-sbkeys new)" "enroll without -d" igos-sbkeys enroll
run 2 "igos-sbkeys: dbx takes one UPDATE.auth (or LIST.esl with -k and -c)" "dbx without input" \
	igos-sbkeys dbx
run 2 "igos-sbkeys: -k and -c go together" "dbx -k without -c" igos-sbkeys dbx -k k.key x
run 2 "igos-sbkeys: -t applies to a list signed here (-k, -c)" "dbx -t without a key" \
	igos-sbkeys dbx -t '2026-01-01 00:00:00' x.auth
run 2 "igos-sbkeys: 'foo' is not PK, KEK, db or dbx" "list of another variable" igos-sbkeys list foo

run 1 "igos-sbkeys: cannot open 'missing.crt': No such file or directory" "esl: a missing certificate" \
	igos-sbkeys esl -o x missing.crt
# "FICA" of -----BEGIN CERTIFICATE----- read as the list size
run 1 "igos-sbkeys: 'k.crt': signature list 1 at offset 0: SignatureListSize 1094928710 exceeds the $(wc -c <k.crt) bytes left" \
	"auth: an input that is no signature list" igos-sbkeys auth $A -o x db k.crt
run 1 "igos-sbkeys: 'o.crt' is not the certificate of 'k.key'" "auth: key and certificate disagree" \
	igos-sbkeys auth -k k.key -c o.crt -o x db a.esl
chmod 644 o.key
run 1 "igos-sbkeys: key file 'o.key' is readable by group or others: chmod 0600 it" \
	"auth: a key file others can read" igos-sbkeys auth -k o.key -c o.crt -o x db a.esl
run 1 "igos-sbkeys: 'k.crt': not a PE/COFF image (no MZ header)" "esl --hash of no image" \
	igos-sbkeys esl --hash -o x k.crt
run 1 "igos-sbkeys: cannot open '/nonexistent': No such file or directory" "status: no efivars" \
	igos-sbkeys status --efivars /nonexistent
is "$(ls x 2>&1)" "ls: cannot access 'x': No such file or directory" "no output left by any failure"
