#!/usr/bin/env python3
# pe-append.py IN OUT NAME=FILE...: append sections to a PE32+ image in the
# order given, a name any number of times (multi-profile UKIs repeat .cmdline
# and .profile; objcopy addresses sections by name and cannot). Each section
# is placed after the last one, file offset and address aligned; SizeOfImage
# grows; the checksum is zeroed (signing recomputes what it needs). For the
# stub VM tests until igos-ukify builds profiles itself.
import struct
import sys


def align(v, a):
    return (v + a - 1) // a * a


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: pe-append.py IN OUT NAME=FILE...")
    img = bytearray(open(sys.argv[1], "rb").read())
    pe = struct.unpack_from("<I", img, 0x3C)[0]
    if img[pe:pe + 4] != b"PE\0\0":
        sys.exit("pe-append.py: not a PE image")
    nsec, = struct.unpack_from("<H", img, pe + 6)
    optsz, = struct.unpack_from("<H", img, pe + 20)
    opt = pe + 24
    salign, falign = struct.unpack_from("<II", img, opt + 32)
    hdrsize, = struct.unpack_from("<I", img, opt + 60)
    table = opt + optsz
    end_va = end_raw = 0
    for i in range(nsec):
        vsize, va, rsize, roff = struct.unpack_from("<IIII", img, table + 40 * i + 8)
        end_va = max(end_va, va + max(vsize, rsize))
        end_raw = max(end_raw, roff + rsize)
    end_raw = max(end_raw, len(img))
    for arg in sys.argv[3:]:
        name, path = arg.split("=", 1)
        data = open(path, "rb").read()
        if table + 40 * (nsec + 1) > hdrsize:
            sys.exit("pe-append.py: no room for another section header")
        va = align(end_va, salign)
        roff = align(end_raw, falign)
        rsize = align(len(data), falign)
        img.extend(b"\0" * (roff + rsize - len(img)))
        img[roff:roff + len(data)] = data
        struct.pack_into("<8sIIIIIIHHI", img, table + 40 * nsec, name.encode(), len(data), va,
                         rsize, roff, 0, 0, 0, 0, 0x40000040)  # initialized data, read
        nsec += 1
        end_va = va + len(data)
        end_raw = roff + rsize
    struct.pack_into("<H", img, pe + 6, nsec)
    struct.pack_into("<I", img, opt + 56, align(end_va, salign))
    struct.pack_into("<I", img, opt + 64, 0)
    open(sys.argv[2], "wb").write(img)


main()
