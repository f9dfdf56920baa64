# tests/t/996: igos-ukify(1)'s examples: a kernel and initrd in /boot, db.key for
# sbsign, /etc/kernel/uki.conf naming them and the MOK, a PCR key.
need sbsign
docs_kernel
docs_mok /etc/igos
cp vmlinuz /boot/vmlinuz-6.1.0-13-amd64
cp initrd.img /boot/initrd.img-6.1.0-13-amd64
openssl req -x509 -newkey rsa:2048 -nodes -keyout db.key -out db.crt -subj /CN=db -days 3650 \
	2>/dev/null
mkdir -p /etc/kernel
printf '[UKI]\nLinux = /boot/vmlinuz-6.1.0-13-amd64\nInitrd = /boot/initrd.img-6.1.0-13-amd64\nCmdline = root=/dev/vda2 ro quiet\nUname = 6.1.0-13-amd64\nSecureBootPrivateKey = /etc/igos/mok.key\nSecureBootCertificate = /etc/igos/mok.der\n' \
	>/etc/kernel/uki.conf
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.key 2>/dev/null
chmod 600 pcr.key
