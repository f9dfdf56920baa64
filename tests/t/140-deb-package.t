#!/bin/sh
# make deb builds igos_<version>_amd64.deb (debian/, dpkg-buildpackage); lintian
# finds no error or warning in it. It is installed with dpkg on this machine
# as seen from a private mount namespace, /usr, /etc and /var overlaid with
# directories of the test (the machine itself is not touched): with no key
# configured the next kernel-install add changes nothing and says why in one
# line; igos-mok new plus the two lines of the packaged uki.conf example make
# the next one install a signed UKI built with the packaged stub; remove and
# purge take away what the package installed, never the machine's key nor
# its uki.conf.
if [ -z "${IGOS_DEB_NS:-}" ] && unshare -m true 2>/dev/null; then
	IGOS_DEB_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
need make dpkg dpkg-deb dpkg-buildpackage dh lintian fakeroot kernel-install mount
[ -n "${IGOS_DEB_NS:-}" ] || skip_all "cannot make a mount namespace (unshare -m)"
vm_kernel
plan 41

ver=$(sed -n 's/^#define IGOS_VERSION "\(.*\)"$/\1/p' "$IGOS_SRC/lib/igos.h")
# the package does not depend on the sanitizer: one build tree for both passes
DEB_BUILD=${IGOS_BUILD%-san}
deb=$DEB_BUILD/deb/igos_${ver}_amd64.deb
run 0 "*" "make deb" make -s -C "$IGOS_SRC" deb BUILD="$DEB_BUILD"
ok "it made igos_${ver}_amd64.deb" test -f "$deb"
run 1 "make deb: debian/changelog is at $ver, lib/igos.h at 9.9: add a changelog entry" \
	"a version that is not the changelog's is refused" sh -c 'cd "$IGOS_SRC" && sh mk/deb.sh "$0" 9.9' "$T/nodeb"
nok "before anything is written" test -e "$T/nodeb"
is "$(dpkg-deb -f "$deb" Package Version Architecture | tr '\n' ' ')" \
	"Package: igos Version: $ver Architecture: amd64 " "name, the project's version, amd64"
dep=$(dpkg-deb -f "$deb" Depends)
case $dep in *libssl3*libtss2-esys*|*libtss2-esys*libssl3*) r=0 ;; *) r=1 ;; esac
ok "Depends: the shared libraries the commands link (shlibs)" test "$r" = 0
case ", $dep," in *", systemd,"*) r=0 ;; *) r=1 ;; esac
ok "Depends: systemd (kernel-install runs the plugins)" test "$r" = 0
is "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)" "/etc/dkms/framework.conf.d/igos.conf" \
	"the DKMS configuration is the only conffile (no uki.conf, no key)"
lintian --pedantic "$deb" >lintian.out 2>&1
is "$(grep -E '^(E|W): ' lintian.out)" "" "lintian: no error, no warning"

# ---- the machine, overlaid: /usr, /etc and /var get their writes here
for d in usr etc var; do
	mkdir -p "up/$d" "work/$d"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/up/$d,workdir=$T/work/$d" "/$d" ||
		{ echo "Bail out! cannot overlay /$d"; exit 1; }
done
# no man-db rebuild on every install; the machine's own kernel-install plugins
# in /etc (DKMS's) are not what is tested
rm -f /var/lib/man-db/auto-update /etc/kernel/install.d/*
rm -f /etc/kernel/uki.conf /usr/lib/kernel/uki.conf /etc/kernel/cmdline
rm -rf /etc/igos /usr/lib/igos
mkdir -p esp
export BOOT_ROOT=$T/esp MACHINE_ID=0123456789abcdef0123456789abcdef ENTRY_TOKEN=igos
echo 'console=ttyS0 quiet' >/etc/kernel/cmdline

run 0 "*" "dpkg -i installs it" dpkg -i "$deb"
for c in "$IGOS_SRC"/tools/*.c; do n=$(basename "$c" .c); [ -x "/usr/bin/$n" ] || break; done
ok "every command in /usr/bin" test -x "/usr/bin/$n"
ok "the stub in /usr/lib/igos" test -f /usr/lib/igos/igos-stubx64.efi
ok "igos-ukify looks for it there" grep -q /usr/lib/igos/igos-stubx64.efi /usr/bin/igos-ukify
ok "the kernel-install plugins in /usr/lib/kernel/install.d" \
	test -x /usr/lib/kernel/install.d/60-igos-ukify.install -a -x /usr/lib/kernel/install.d/90-igos-uki.install
for m in "$IGOS_SRC"/man/*.[178]; do b=$(basename "$m"); [ -f "/usr/share/man/man${m##*.}/$b.gz" ] || break; done
ok "every man page" test -f "/usr/share/man/man${m##*.}/$b.gz"
ok "the commented uki.conf example" grep -q '^#SecureBootPrivateKey = /etc/igos/mok.key$' \
	/usr/share/doc/igos/examples/uki.conf
ok "the DKMS configuration" test -f /etc/dkms/framework.conf.d/igos.conf -a -x /usr/lib/igos/dkms-sign
ok "naming the installed commands" grep -q '^		sign_file=/usr/lib/igos/dkms-sign$' /etc/dkms/framework.conf.d/igos.conf
ok "and dkms-sign calls /usr/bin/igos-sign" grep -q '^/usr/bin/igos-sign sign ' /usr/lib/igos/dkms-sign
dpkg -L igos >pkg.list

# no key configured: the next kernel update changes nothing
run 0 "*" "kernel-install add with no uki.conf" kernel-install add "$VM_KVER" "$VM_VMLINUZ"
is "$(grep igos "$T/out")" "60-igos-ukify.install: no /etc/kernel/uki.conf, no signed UKI for $VM_KVER" \
	"the plugin says why in one line"
is "$(find esp -type f | wc -l)" 0 "nothing on the ESP"

# the machine's key and the two lines of the example (/etc/igos made as an
# admin would: igos-mok new does not make the directory)
mkdir -m 0700 /etc/igos
run 0 "*" "igos-mok new -k /etc/igos/mok.key -c /etc/igos/mok.der" \
	igos-mok new -k /etc/igos/mok.key -c /etc/igos/mok.der
sed 's|^#\(SecureBoot[A-Za-z]* = /etc/igos/.*\)|\1|' /usr/share/doc/igos/examples/uki.conf >/etc/kernel/uki.conf
run 0 "*" "kernel-install add with the key configured" kernel-install add "$VM_KVER" "$VM_VMLINUZ"
uki=esp/EFI/Linux/igos-$VM_KVER.efi
ok "a UKI is on the ESP" test -f "$uki"
ok "signed with the MOK" igos-sign verify -c /etc/igos/mok.der "$uki"
is "$(igos-ukify inspect --section .uname "$uki" 2>/dev/null)" "$VM_KVER" "for that kernel"
is "$(igos-ukify inspect --section .cmdline "$uki" 2>/dev/null)" "console=ttyS0 quiet" \
	"with /etc/kernel/cmdline"

# remove: the commands go, the conffile stays; purge: it goes too
run 0 "*" "dpkg -r igos" dpkg -r igos
nok "the commands are gone" test -e /usr/bin/igos-sign
nok "the stub is gone" test -e /usr/lib/igos/igos-stubx64.efi
nok "the plugins are gone" test -e /usr/lib/kernel/install.d/60-igos-ukify.install
ok "the DKMS configuration stays until purge" test -f /etc/dkms/framework.conf.d/igos.conf
run 0 "*" "dpkg -P igos" dpkg -P igos
nok "purge removes the DKMS configuration" test -e /etc/dkms/framework.conf.d/igos.conf
left=
while IFS= read -r f; do
	[ -d "$f" ] || ! [ -e "$f" ] || left="$left $f"
done <pkg.list
is "$left" "" "no file the package installed is left"
nok "dpkg knows it no more" dpkg -s igos
ok "the machine's key stays" test -f /etc/igos/mok.key -a -f /etc/igos/mok.der
is "$(stat -c %a /etc/igos/mok.key)" 600 "still 0600"
ok "its uki.conf stays" grep -qx 'SecureBootPrivateKey = /etc/igos/mok.key' /etc/kernel/uki.conf
ok "the installed UKI stays on the ESP (it is the boot entry)" test -f "$uki"
done_testing
