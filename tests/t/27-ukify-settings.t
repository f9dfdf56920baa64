#!/bin/sh
# igos-ukify config: the [UKI] settings that other tools act on, for scripts;
# and build takes those settings without a word.
. "${0%/*}/../lib/tap.sh"
need igos-ukify
cat >uki.conf <<'EOC'
# ukify's configuration
[UKI]
SecureBootPrivateKey = /etc/igos/old.key
SecureBootCertificate=/etc/igos/mok.der
Cmdline = quiet

[PCRSignature:initrd]
SecureBootPrivateKey = not/this/one

[UKI]
SecureBootPrivateKey = pkcs11:token=mok;object=mok;type=private?pin-source=/etc/igos/pin
EOC
run 0 "" "two settings, one a line" igos-ukify config -c uki.conf SecureBootPrivateKey \
	SecureBootCertificate
is "$OUT" "pkcs11:token=mok;object=mok;type=private?pin-source=/etc/igos/pin
/etc/igos/mok.der" "the last [UKI] line wins; other sections are not read"
run 0 "" "a missing setting is an empty line" igos-ukify config -c uki.conf Stub Cmdline
is "$OUT" "
quiet" "empty line, then the value"
run 1 "igos-ukify: cannot open 'none.conf': No such file or directory" "a missing file" \
	igos-ukify config -c none.conf Stub
printf '[UKI\n' >bad.conf
run 1 "igos-ukify: 'bad.conf' line 1: bad section header" "a broken file" \
	igos-ukify config -c bad.conf Stub
run 2 "igos-ukify: config needs the NAME of a setting" "no name" igos-ukify config -c uki.conf
run 2 "igos-ukify: config needs -c FILE" "no file" igos-ukify config Stub
run 2 "igos-ukify: 'a=b' is not a setting name" "not a name" igos-ukify config -c uki.conf a=b
# build knows the signing settings (they are igos-sign's job) and says nothing of them
head -c 100000 /dev/urandom >vmlinuz
printf '[UKI]\nSecureBootPrivateKey = mok.key\nSecureBootCertificate = mok.der\nSignKernel = no\n' >sb.conf
run 0 "" "build takes the signing settings without a warning" igos-ukify build -c sb.conf \
	--stub "$IGOS_BUILD/efi/igos-stubx64.efi" --linux vmlinuz --uname 6.1.0-x \
	--os-release ID=x -o uki.efi
printf '[UKI]\nNoSuchSetting = 1\n' >unknown.conf
run 0 "igos-ukify: 'unknown.conf' line 2: unknown setting [UKI] NoSuchSetting=, ignored" \
	"an unknown setting is still reported" igos-ukify build -c unknown.conf \
	--stub "$IGOS_BUILD/efi/igos-stubx64.efi" --linux vmlinuz --uname 6.1.0-x \
	--os-release ID=x -o uki2.efi
done_testing
