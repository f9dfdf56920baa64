#!/bin/sh
# 60-igos-ukify.install makes the staging area's uki.efi link to the image
# on the ESP while it builds it (issue 27: no program started after the image
# is written but what must be). When the signing onto the ESP fails, the hook
# builds the image again in the staging area: that link must go first, or
# the second image would be written through it onto the ESP, unverified.
# Here the signer fails only when it writes onto the ESP (--progress-fd); the
# install then goes the staging way (copied onto the ESP, verified, synced).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/hooks.sh"
. "$TESTLIB/ukify.sh"
need kernel-install igos-ukify igos-sign openssl "$STUB_EFI"
plan 8
KVER=6.1.0-fallback
UKI=$T/esp/EFI/Linux/igos-$KVER.efi
mkkernel vmlinuz "$KVER" 3000001
head -c 2000003 /dev/urandom >initrd.img
hooks_env
hooks_mok mok
hooks_conf "$T/mok.key" "$T/mok.crt"
echo "root=/dev/vda2 ro igos.test=fallback" >conf/cmdline

# between the two hooks: what uki.efi is
cat >75-look.install <<'P'
#!/bin/sh
[ "$1" = add ] || exit 0
s=$KERNEL_INSTALL_STAGING_AREA
if [ -L "$s/uki.efi" ]; then echo link; elif [ -f "$s/uki.efi" ]; then echo file; else echo none; fi \
	>"$T/look.kind"
ls -A "$BOOT_ROOT/EFI/Linux" >"$T/look.esp"
P
chmod +x 75-look.install
mkdir wrap
REAL_SIGN=$(command -v igos-sign)
export T REAL_SIGN
cat >wrap/igos-sign <<'W'
#!/bin/sh
case " $* " in
*" --progress-fd "*) echo "igos-sign: refusing to write onto the ESP (test)" >&2; exit 1 ;;
esac
exec "$REAL_SIGN" "$@"
W
chmod +x wrap/igos-sign
KERNEL_INSTALL_PLUGINS="$HOOKS/60-igos-ukify.install $T/75-look.install $HOOKS/90-igos-uki.install"
run 0 "*" "the signer fails onto the ESP: kernel-install add still succeeds" \
	env PATH="$T/wrap:$PATH" kernel-install add "$KVER" vmlinuz initrd.img
is "$(cat look.kind)" file "between the hooks, uki.efi is an image in the staging area, not a link"
is "$(cat look.esp)" "" "and nothing of the failed attempt is left on the ESP"
is "$(ls -A esp/EFI/Linux)" "igos-$KVER.efi" "the UKI took its name, nothing else left"
igos-ukify build --linux vmlinuz --uname "$KVER" --initrd initrd.img \
	--cmdline " $(cat conf/cmdline)" --config conf/uki.conf -o u.efi 2>/dev/null
igos-sign sign -k mok.key -c mok.crt -o ref.efi u.efi
same "$UKI" ref.efi "byte-identical with igos-ukify build, then igos-sign sign"
ok "it verifies with the MOK certificate" igos-sign verify -c mok.crt "$UKI"

# and the ordinary way: uki.efi links to the image on the ESP
run 0 "*" "the signer as it is: kernel-install add succeeds" kernel-install add "$KVER" vmlinuz initrd.img
is "$(cat look.kind)" link "between the hooks, uki.efi links to the image on the ESP"
done_testing
