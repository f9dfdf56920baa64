#!/bin/sh
# The kernel-install hooks' one pass (issue 27): 60-igos-ukify.install builds
# and signs in one stream straight onto the ESP, beside the UKI's final name
# (no scratch copy in the staging area copied again), reading it back to
# verify it while it is written (igos-sign verify --follow); and
# 90-igos-uki.install takes that file over and renames it. The result is the bytes igos-ukify
# build + igos-sign sign make; the file is synced before it takes its name and
# the directory after; a bad write is still refused by the read-back check;
# what a dead kernel-install left is removed, a live one's is not.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/hooks.sh"
. "$TESTLIB/ukify.sh"
need kernel-install igos-ukify igos-sign sbverify openssl strace "$STUB_EFI"
plan 13
KVER=6.1.0-pass
UKI=$T/esp/EFI/Linux/igos-$KVER.efi
mkkernel vmlinuz "$KVER" 3000001
head -c 5000003 /dev/urandom >initrd.img
hooks_env
hooks_mok mok
hooks_mok other
hooks_conf "$T/mok.key" "$T/mok.crt"
echo "root=/dev/vda2 ro igos.test=pass" >conf/cmdline

# between the two hooks: what the staging area holds
cat >75-look.install <<'P'
#!/bin/sh
[ "$1" = add ] || exit 0
s=$KERNEL_INSTALL_STAGING_AREA
readlink "$s/uki.efi" >"$T/look.link" || :
find "$s" -type f -size +1024k >"$T/look.big"
P
chmod +x 75-look.install
export T
KERNEL_INSTALL_PLUGINS="$HOOKS/60-igos-ukify.install $T/75-look.install $HOOKS/90-igos-uki.install"
run 0 "*" "kernel-install add succeeds" ki add "$KVER" vmlinuz initrd.img
case $(cat look.link) in
"$T/esp/EFI/Linux/.igos-igos-$KVER.efi."??????.[0-9]*) r=0 ;;
*) r=1 ;;
esac
is "$r" 0 "between the hooks, uki.efi links to the image on the ESP ($(cat look.link))"
is "$(cat look.big)" "" "and the staging area holds no copy of it"
is "$(ls -A esp/EFI/Linux)" "igos-$KVER.efi" "the image took its name, nothing else left"
igos-ukify build --linux vmlinuz --uname "$KVER" --initrd initrd.img \
	--cmdline " $(cat conf/cmdline)" --config conf/uki.conf -o u.efi 2>/dev/null
igos-sign sign -k mok.key -c mok.crt -o ref.efi u.efi
same "$UKI" ref.efi "byte-identical with igos-ukify build, then igos-sign sign"
ok "sbverify accepts it" sbverify --cert mok.crt "$UKI"

# durable before it takes its name: the file synced, renamed, the directory synced
strace -f -y -qq -e trace=fsync,fdatasync,rename,renameat,renameat2 -o trace \
	kernel-install add "$KVER" vmlinuz initrd.img >/dev/null 2>&1
awk -v d="$T/esp/EFI/Linux" -v n="igos-$KVER.efi" '
	/fsync\(|fdatasync\(/ && index($0, "<" d "/.igos-igos-") && !r { f = NR }
	/rename/ && index($0, "\"" n "\"") || index($0, d "/" n "\"") { if (!r) r = NR }
	/fsync\(/ && r && NR > r && index($0, "<" d ">") { s = NR }
	END { print (f && r > f && s) ? "synced, renamed, dir synced" : "f=" f " r=" r " s=" s }' trace >order
is "$(cat order)" "synced, renamed, dir synced" "the copy is synced before the rename, the directory after"

# a bad write: one byte of the image on the ESP is not what was signed (changed
# after the signer wrote it, before the reader is told it is there); the
# read-back check, run while the image is written, refuses it, and the
# installed UKI stays
cp "$UKI" before.efi
mkdir wrap
REAL_SIGN=$(command -v igos-sign); export REAL_SIGN
cat >wrap/igos-sign <<'W'
#!/bin/sh
case " $* " in
*" --progress-fd 3 "*) ;;
*) exec "$REAL_SIGN" "$@" ;;
esac
exec 4>&1
"$REAL_SIGN" "$@" 3>&1 >&4 | {
	x=
	while read -r w n; do
		if [ -z "$x" ] && [ "$w" = written ] && [ "$n" -gt 4000000 ]; then
			printf 'X' | dd of=/proc/self/fd/4 bs=1 seek=4000000 conv=notrunc 2>/dev/null
			x=1
		fi
		echo "$w $n" >&3
	done
}
W
chmod +x wrap/igos-sign
run 1 "*" "a corrupted write: exit 1" env PATH="$T/wrap:$PATH" kernel-install add "$KVER" vmlinuz initrd.img
last_err "60-igos-ukify.install: the signed UKI for $KVER does not verify with '$T/mok.crt'" \
	"the read-back check's line"
same "$UKI" before.efi "the installed UKI is byte-identical"
is "$(ls -A esp/EFI/Linux)" "igos-$KVER.efi" "no temporary file on the ESP"

# what 60-igos-ukify.install leaves when its kernel-install dies before 90
# runs: removed by the next add, unless its kernel-install still runs
sh -c 'exit 0' & dead=$!
wait $dead
: >"esp/EFI/Linux/.igos-igos-9.9.efi.AbCdEf.$dead"
: >"esp/EFI/Linux/.igos-igos-9.8.efi.GhIjKl.$$"
KERNEL_INSTALL_PLUGINS="$HOOKS/60-igos-ukify.install $HOOKS/90-igos-uki.install"
ki add "$KVER" vmlinuz initrd.img >/dev/null 2>&1
is "$(ls -A esp/EFI/Linux | grep -c "^\.igos-igos-9\.9\.efi\.AbCdEf\.$dead$")" 0 \
	"a dead kernel-install's image is removed"
is "$(ls -A esp/EFI/Linux | grep -c "^\.igos-igos-9\.8\.efi\.GhIjKl\.$$\$")" 1 \
	"a live one's is left alone"
done_testing
