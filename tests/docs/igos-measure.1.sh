# tests/t/996: igos-measure(1)'s examples: a UKI, the release token's pcr key (its
# PEM copy pcr.pem, public pcr.pub), a PIN file, section files.
docs_tokens pcr
docs_kernel
(umask 077 && printf '%s\n' "$HSM_PIN" >pin)
igos-ukify build --linux vmlinuz --initrd initrd.img --os-release @os-release \
	--cmdline @cmdline --uname 6.1.0-13-amd64 -o uki.efi
# the two-room example: a UKI carrying the public key, before its policy is signed
igos-ukify build --linux vmlinuz --initrd initrd.img --os-release @os-release \
	--cmdline @cmdline --uname 6.1.0-13-amd64 --pcrpkey pcr.pub -o uki0.efi
# the profile example: a UKI with a second profile (igos-ukify's), signed with
# the PEM copy of the pcr key
igos-ukify build --profile 'ID=factory' --cmdline 'root=/dev/vda2 ro systemd.factory_reset=1' \
	-o factory.efi
igos-ukify build --linux vmlinuz --initrd initrd.img --os-release @os-release \
	--cmdline @cmdline --uname 6.1.0-13-amd64 --pcrpkey pcr.pub --join-profile factory.efi \
	-o multi.efi
# the PCR 12 example: an addon
igos-ukify build --addon --cmdline 'console=ttyS0,115200' -o console.addon.efi
