# tests/t/996: the inputs of README.md's commands (sourced by tests/lib/docs-run.bash).
need openssl git kernel-install cc
docs_tokens mok grub subkey
cp grub.crt release.crt
doc_not_run 'make demo*' "boots the whole chain under qemu (make demo is its own target)"
doc_not_run 'make check*' "the whole suite, which runs this test"
doc_not_run 'igos-bootcheck*' "exit 0 only where the machine's whole boot path holds; the \
sandbox has no firmware boot entries (tests/t/111-bootcheck-cases.t judges built chains)"

# a system image, a kernel, an initrd, the PCR policy key
head -c 4194304 /dev/zero >root.img
docs_kernel
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.key 2>/dev/null
chmod 600 pcr.key
openssl pkey -in pcr.key -pubout -out pcr.pub
doc_tty "igos-mok import*" docs-password docs-password
doc_tty "*pkcs11:token=*" "$HSM_PIN" "$HSM_PIN"

# a Debian-like module: an ELF object, already signed (by "Debian")
printf 'int x;\n' >m.c && cc -c m.c -o foo.ko
openssl req -x509 -newkey rsa:2048 -nodes -keyout deb.key -out deb.crt -subj /CN=debian \
	-days 3650 2>/dev/null
igos-sign sign -k deb.key -c deb.crt foo.ko

# kernel-install: the kernel in /boot, the hooks and uki.conf in /etc/kernel
cp vmlinuz /boot/vmlinuz-6.1.0-13-amd64
mkdir -p /etc/kernel/install.d /boot/efi
ln -sf "$IGOS_SRC"/hooks/60-igos-ukify.install "$IGOS_SRC"/hooks/90-igos-uki.install \
	/etc/kernel/install.d/
printf 'BOOT_ROOT=/boot/efi\nlayout=uki\n' >/etc/kernel/install.conf
printf 'quiet\n' >/etc/kernel/cmdline
printf '[UKI]\nSecureBootPrivateKey = /etc/igos/mok.key\nSecureBootCertificate = /etc/igos/mok.der\n' \
	>/etc/kernel/uki.conf

# the package index: the master key, its pin on the client, packages
openssl genpkey -algorithm ed25519 -out master.pem 2>/dev/null && chmod 600 master.pem
mkdir -p /etc/igos/index-masters repo
openssl pkey -in master.pem -pubout -out /etc/igos/index-masters/master.pub
for p in a-1 b-2 c-3; do head -c 1000 /dev/urandom >repo/$p.pkg.tar.zst; done

# the SBOM: a git checkout, a source tarball, a patch, a certificate, shim
git init -q . && git -c user.name=d -c user.email=d@x commit -q --allow-empty -m docs
mkdir -p patches certs build
head -c 5000 /dev/urandom >shim-16.1.tar.bz2
printf -- '--- a/x\n+++ b/x\n' >patches/0001-sbat.patch
openssl x509 -in release.crt -outform DER -out certs/intergenos-ca.der
cp /usr/lib/shim/shimx64.efi build/shimx64.efi

# the package: not built nor installed here (tests/t/140-deb-package.t builds it,
# installs it into a scratch root, uses it and purges it); its example uki.conf
# is put where the package puts it
doc_not_run 'make deb*' "builds the Debian package (tests/t/140-deb-package.t does)"
doc_not_run 'apt install ./build/deb/*' "installs into the machine's /usr \
(tests/t/140-deb-package.t installs the package into a scratch root)"
mkdir -p "$W/.sandbox/doc.up" "$W/.sandbox/doc.wk" &&
	mount -t overlay overlay -o "lowerdir=/usr/share/doc,upperdir=$W/.sandbox/doc.up,workdir=$W/.sandbox/doc.wk" \
		/usr/share/doc &&
	install -D -m 0644 "$IGOS_SRC/debian/uki.conf.example" /usr/share/doc/igos/examples/uki.conf

# the release in two rooms: the release key's public half, a module, a root hash
cp grub.pub release.pub
cc -c m.c -o dm-verity.ko
igos-verity format --root-hash-file root.roothash root.img root.verity >/dev/null
