#!/usr/bin/env python3
# pe-section.py PE NAME [N]: write the N-th (from 0, default 0) section called
# NAME of a PE image to stdout, VirtualSize bytes (what a stub reads). A
# multi-profile UKI repeats names (.cmdline, .pcrsig, .profile), which
# objcopy, addressing sections by name, cannot tell apart.
import struct
import sys


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: pe-section.py PE NAME [N]")
    img = open(sys.argv[1], "rb").read()
    want, n = sys.argv[2].encode(), int(sys.argv[3]) if len(sys.argv) == 4 else 0
    pe = struct.unpack_from("<I", img, 0x3C)[0]
    nsec, = struct.unpack_from("<H", img, pe + 6)
    optsz, = struct.unpack_from("<H", img, pe + 20)
    table = pe + 24 + optsz
    for i in range(nsec):
        name = img[table + 40 * i:table + 40 * i + 8].rstrip(b"\0")
        vsize, _, rsize, roff = struct.unpack_from("<IIII", img, table + 40 * i + 8)
        if name != want:
            continue
        if n == 0:
            data = img[roff:roff + min(vsize, rsize)]
            sys.stdout.buffer.write(data + b"\0" * (vsize - len(data)))
            return
        n -= 1
    sys.exit("pe-section.py: no such section")


main()
