#!/bin/sh
# Hostile output paths: symbolic links (refused for keys and the index state,
# replaced not followed elsewhere), device nodes, sockets and FIFOs planted in
# an output's place (refused, untouched), names with spaces, newlines and non-UTF-8
# bytes, 255-byte names and paths past PATH_MAX, and a read-only target.
[ -z "${IGOS_IN_NS:-}" ] && [ "$(id -u)" = 0 ] &&
	exec env IGOS_IN_NS=1 unshare -m --propagation private "$0" "$@"
. "${0%/*}/../lib/tap.sh"
need openssl igos-sign igos-mok igos-index-sign igos-index-verify igos-sbom
[ "$(id -u)" = 0 ] || skip_all "needs root to mount a read-only filesystem"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
[ -f "$STUB" ] || skip_all "no systemd stub (make deps)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=hostile \
	-days 30 2>/dev/null && chmod 600 k.pem
echo secret-old >victim

# --- symbolic links
ln -s victim key.lnk
run 1 "igos-mok: cannot write 'key.lnk': refusing to replace a symbolic link" \
	"igos-mok new refuses a key path that is a symlink" igos-mok new -k key.lnk -c m.crt
run 1 "igos-mok: cannot write 'key.lnk': refusing to replace a symbolic link" \
	"... even with --force" igos-mok new --force -k key.lnk -c m.crt
is "$(cat victim)" "secret-old" "the symlink's target is untouched"
ok "and no certificate was left for the refused key" test ! -e m.crt
ln -s victim crt.lnk
run 1 "igos-mok: cannot write 'crt.lnk': refusing to replace a symbolic link" \
	"igos-mok new refuses a certificate path that is a symlink" igos-mok new -k m.key -c crt.lnk
ok "and no key was left for the refused certificate" test ! -e m.key
ln -s victim out.lnk
run 0 "" "igos-sign -o a symlink: the link is replaced, not followed" \
	igos-sign sign -k k.pem -c c.pem -o out.lnk "$STUB"
ok "out.lnk is now a regular file" test -f out.lnk -a ! -L out.lnk
is "$(cat victim)" "secret-old" "the symlink's target is untouched"

# nodes planted where an output goes (igos(7), Outputs): a link to a block
# device or a socket is refused and the node untouched; a FIFO planted where a
# key goes is refused without waiting for a reader; a dangling link is replaced
mknod blk b 7 254 && ln -s blk blk.lnk
run 1 "igos-sign: cannot write 'blk.lnk': is a block device" \
	"igos-sign -o a link to a block device: refused" igos-sign sign -k k.pem -c c.pem -o blk.lnk "$STUB"
is "$(stat -c '%F %t:%T' blk):$(readlink blk.lnk)" "block special file 7:fe:blk" "the link and the device are untouched"
python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")' && ln -s sock sock.lnk
run 1 "igos-sbom: cannot write 'sock.lnk': is a socket" "igos-sbom -o a link to a socket: refused" \
	igos-sbom --name x --package-version 1 --created 2023-11-14T22:13:20Z -o sock.lnk
is "$(stat -c %F sock)" "socket" "the socket is untouched"
mkfifo key.fifo
run 1 "igos-mok: cannot write 'key.fifo': File exists (--force replaces it)" \
	"igos-mok new -k a planted FIFO: refused at once, no wait for a reader" igos-mok new -k key.fifo -c f.crt
is "$(stat -c %F key.fifo)" "fifo" "the FIFO is untouched"
ln -s nowhere dangling.lnk
run 0 "" "igos-sign -o a dangling link: the link is replaced" \
	igos-sign sign -k k.pem -c c.pem -o dangling.lnk "$STUB"
ok "dangling.lnk is now a regular file, nowhere not created" test -f dangling.lnk -a ! -L dangling.lnk -a ! -e nowhere

# the index state: a symlinked state file is refused, the link's target untouched
openssl genpkey -algorithm ed25519 -out master.pem 2>/dev/null
openssl genpkey -algorithm ed25519 -out sub.pem 2>/dev/null
chmod 600 master.pem sub.pem
openssl pkey -in sub.pem -pubout -out sub.pub
mkdir trust && openssl pkey -in master.pem -pubout -out trust/master.pub
head -c 999 /dev/urandom >p-1.pkg.tar.zst
igos-index-sign build -o index p-1.pkg.tar.zst
igos-index-sign certify --master-key master.pem --subkey sub.pub --serial 1 --scope 'core x86_64' \
	--not-before 2026-01-01T00:00:00Z --not-after 2030-01-01T00:00:00Z -o cert 2>/dev/null
igos-index-sign sign --key sub.pem --cert cert --repo core --arch x86_64 --version 2 \
	--now 2026-06-01T00:00:00Z -o sig index 2>/dev/null
. "$TESTLIB/index.sh"
idx_state real core 0 0
mkdir st && ln -s ../real/core.state st/core.state
cp real/core.state state.before
run 1 "igos-index-verify: cannot open 'st/core.state': refusing to follow a symbolic link" \
	"igos-index-verify refuses a state file that is a symlink" \
	igos-index-verify verify --trust trust --state st --repo core --arch x86_64 \
	--now 2026-06-02T00:00:00Z index sig
same real/core.state state.before "the symlink's target (the state) is not advanced"
ok "the symlink is still there" test -L st/core.state
run 1 "igos-index-verify: cannot open 'st/core.state': refusing to follow a symbolic link" \
	"igos-index-verify check refuses it too" igos-index-verify check --state st --repo core index p-1.pkg.tar.zst

# --- names: spaces, a newline, non-UTF-8 bytes
for n in "with space.efi" "$(printf 'new\nline.efi')" "$(printf 'bad\377\376utf8.efi')" \
	"$(printf '%0255d' 0 | tr 0 n)"; do
	d=$(printf '%s' "$n" | od -An -c | tr -d ' \\\n' | cut -c1-30)
	run 0 "" "sign to a name like $d" igos-sign sign -k k.pem -c c.pem -o "$n" "$STUB"
	ok "and it verifies under that name" igos-sign verify -c c.pem "$n"
	run 0 "" "sign it again in place" igos-sign sign --replace -k k.pem -c c.pem "$n"
	no_temps . "no temporary file left"
done
mkdir "sb dir$(printf '\n\377')"
run 0 "" "igos-sbom to a directory with a space, newline and a non-UTF-8 byte" \
	igos-sbom --name x --package-version 1 --created 2023-11-14T22:13:20Z -o "sb dir$(printf '\n\377')/out.json"

# --- a path past PATH_MAX (4096): a clear error, no crash
p=.
i=0
while [ $i -lt 20 ]; do
	p=$p/$(printf '%0250d' 0 | tr 0 d); i=$((i + 1))
done
mkdir -p "$p"
run 1 "*" "a 5000-byte output path is refused" igos-sign sign -k k.pem -c c.pem -o "$p/out.efi" "$STUB"
is "$(echo "$ERR" | wc -l):$(echo "$ERR" | grep -c "^igos-sign: cannot write '.*: File name too long$")" "1:1" \
	"with one line that ends with the reason"
run 1 "*" "a 5000-byte input path is refused" igos-sign verify -c c.pem "$p/in.efi"
is "$(echo "$ERR" | wc -l):$(echo "$ERR" | grep -c 'File name too long')" "1:1" "with one line: File name too long"

# --- a read-only target
mkdir ro && mount -t tmpfs -o size=4m tmpfs ro && cp "$STUB" ro/img.efi && cp "$STUB" ref.efi &&
	mount -o remount,ro ro
run 1 "igos-sign: cannot write 'ro/img.efi': Read-only file system" \
	"signing in place on a read-only filesystem" igos-sign sign -k k.pem -c c.pem ro/img.efi
same ro/img.efi ref.efi "the image is untouched"
run 1 "igos-mok: cannot write 'ro/k': Read-only file system" "a key on a read-only filesystem" \
	igos-mok new -k ro/k -c ro/c
run 1 "*" "the index state on a read-only filesystem" sh -c "umount ro && mkdir -p ro &&
	mount -t tmpfs -o size=1m tmpfs ro && cp real/core.state ro/ && mount -o remount,ro ro &&
	igos-index-verify verify --trust trust --state ro --repo core --arch x86_64 \
	--now 2026-06-02T00:00:00Z index sig"
diag "$ERR"
same ro/core.state state.before "the state is not advanced (and not lost)"
umount ro
done_testing
