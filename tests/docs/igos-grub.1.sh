# tests/t/996: igos-grub(1)'s examples (the release token's grub key, a password hash).
need grub-mkimage grub-mkpasswd-pbkdf2
docs_tokens grub
cp grub.crt release.crt
printf 'docs\ndocs\n' | grub-mkpasswd-pbkdf2 -c 1000 | sed -n 's/^.* is //p' >grub.hash
mkdir -p /boot/efi
doc_tty "*pkcs11:token=*" "$HSM_PIN"
