#!/bin/sh
# igos-ukify build --config: the [UKI] section of ukify's uki.conf; command
# line options win; unknown settings are reported; syntax errors fail.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
need igos-ukify objcopy "$STUB"
plan 16

mkkernel vmlinuz 6.1.0-99-test
head -c 3001 /dev/urandom >i1
head -c 17 /dev/urandom >i2
printf 'ID=conf\n' >osrel
printf 'ID=cli\n' >osrel2
cp "$STUB" stub.efi
cat >uki.conf <<CONF
# a comment
; another
[UKI]
Linux = vmlinuz
Initrd = i1 i2
Cmdline = root=/dev/vda1   ro  # inline comment
   quiet
OSRelease = @osrel
Uname = 6.6.6-conf
SBAT = sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md
    igos,1,igos,igos,1,https://example.org/
Stub = stub.efi
CONF

run 0 "" "build from a config file alone (plus -o)" igos-ukify build --config uki.conf -o a.efi
run 0 "" "the same from the command line" igos-ukify build --stub stub.efi --linux vmlinuz \
	--initrd i1 --initrd i2 --cmdline "root=/dev/vda1 ro quiet" --os-release @osrel \
	--uname 6.6.6-conf --sbat "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md
igos,1,igos,igos,1,https://example.org/" -o b.efi
same a.efi b.efi "config and command line give the same UKI"
is "$(section a.efi .cmdline)" "root=/dev/vda1 ro quiet" \
	"Cmdline: continuation line joined, inline comment dropped, white space collapsed"
is "$(section a.efi .sbat | tr -d '\000' | tail -n 1)" "igos,1,igos,igos,1,https://example.org/" \
	"SBAT: a multi-line value replaces the default UKI line"

run 0 "" "command-line options win" igos-ukify build -c uki.conf --cmdline "console=ttyS0" \
	--os-release @osrel2 --initrd i2 --uname 1.2.3 -o c.efi
is "$(section c.efi .cmdline)" "console=ttyS0" "--cmdline wins over Cmdline="
is "$(section c.efi .osrel)" "ID=cli" "--os-release wins over OSRelease="
section c.efi .initrd >got; same got i2 "--initrd replaces the config's Initrd= list"
is "$(section c.efi .uname)" "1.2.3" "--uname wins over Uname="

cat >unknown.conf <<CONF
[UKI]
Linux=vmlinuz
Stub=stub.efi
Frobnicate=yes
[PCRSignature:initrd]
PCRPrivateKey=/x.key
CONF
run 0 "igos-ukify: 'unknown.conf' line 4: unknown setting [UKI] Frobnicate=, ignored
igos-ukify: 'unknown.conf' line 6: unknown setting [PCRSignature:initrd] PCRPrivateKey=, ignored" \
	"unknown settings are reported, not silently ignored" igos-ukify build -c unknown.conf -o d.efi

printf '[UKI]\nLinux=vmlinuz\nthis is not a setting\n' >bad.conf
run 1 "igos-ukify: 'bad.conf' line 3: expected KEY=VALUE" "a line without =" \
	igos-ukify build -c bad.conf -o e.efi
printf 'Linux=vmlinuz\n' >nosec.conf
run 1 "igos-ukify: 'nosec.conf' line 1: setting outside a [section]" "a setting before any section" \
	igos-ukify build -c nosec.conf -o e.efi
run 1 "igos-ukify: cannot open 'none.conf': No such file or directory" "a missing config file" \
	igos-ukify build -c none.conf -o e.efi
run 2 "igos-ukify: --config given twice" "--config twice" \
	igos-ukify build -c uki.conf -c uki.conf -o e.efi
is "$(ls e.efi 2>&1)" "ls: cannot access 'e.efi': No such file or directory" "no output from a failed config"
done_testing
