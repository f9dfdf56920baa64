# tests/t/996: igos-sign(1)'s examples: the MOK in /etc/igos, the release token's
# uefi key with its PIN in ~/.config/igos/pin (HOME is the scratch directory), a
# kernel and initrd for the UKI, a module.
docs_tokens uefi
docs_mok /etc/igos
docs_kernel
cp uefi.crt release-uefi.crt
HOME=$PWD
mkdir -p .config/igos && (umask 077 && printf '%s\n' "$HSM_PIN" >.config/igos/pin)
igos-ukify build --linux vmlinuz --initrd initrd.img --uname 6.1.0-13-amd64 -o uki.efi
printf 'int x;\n' >m.c && cc -c m.c -o dm-verity.ko
