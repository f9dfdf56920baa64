#!/usr/bin/env python3
# sd-cpio.py PREFIX DIRMODE FILEMODE FILE...: on stdout, the newc cpio archive
# systemd-stub 257 builds from ESP companion files (credentials, extensions)
# and measures: PREFIX's directories (the leading ones 0555, PREFIX itself
# DIRMODE), then each FILE as PREFIX/<basename> (FILEMODE), sorted by name,
# then the trailer; inodes from 1, uid/gid/mtime 0, nlink 1, names and data
# padded to 4 bytes. Written from systemd-stub(7) and the kernel's
# buffer-format.rst, independently of efi/pure.c, to predict PCR 12 and 13.
import os
import sys


def member(ino, mode, name, data):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
    head = b"070701" + b"".join(b"%08x" % f for f in fields) + name_b
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def main():
    prefix, dmode, fmode = sys.argv[1], int(sys.argv[2], 8), int(sys.argv[3], 8)
    out, ino = b"", 1
    parts = prefix.split("/")
    for i in range(1, len(parts) + 1):
        mode = dmode if i == len(parts) else 0o555
        out += member(ino, 0o40000 | mode, "/".join(parts[:i]), b"")
        ino += 1
    for path in sorted(sys.argv[4:], key=lambda p: os.path.basename(p).encode()):
        out += member(ino, 0o100000 | fmode, prefix + "/" + os.path.basename(path),
                      open(path, "rb").read())
        ino += 1
    trailer = member(0, 0, "TRAILER!!!", b"")
    out += trailer[:6 + 8 * 11] + b"0000000B" + trailer[6 + 8 * 12:]
    sys.stdout.buffer.write(out)


main()
