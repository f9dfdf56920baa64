#!/usr/bin/env python3
"""Make small PE/COFF images for the igos-sign tests, and damage them.

  sign-mkpe.py make OUT [--pe32] [--sections N] [--trailing N] [--seed S]
                        [--gap] [--ndirs N] [--size-mb N] [--bss N] [--reverse]
                        [--pe-off N]
  sign-mkpe.py patch FILE WHAT [VALUE]   (WHAT: see patch() below)
  sign-mkpe.py get FILE WHAT             (prints a header field)

--bss N adds N sections without raw data (SizeOfRawData and PointerToRawData
0, as linkers write .bss) to the section table; --reverse lists the sections in
the table in the reverse of their file order; --pe-off N puts the PE header
(e_lfanew) at N instead of 0x80.

Section contents are pseudo-random from the seed, so images differ byte for
byte while staying deterministic.
"""
import random
import struct
import sys

FA = 0x200
SA = 0x1000


def make(out, pe32=False, nsec=3, trailing=0, seed=1, gap=False, ndirs=16, size_mb=0, bss=0,
         reverse=False, pe_off=0x80):
    rnd = random.Random(seed)
    opt_size = (96 if pe32 else 112) + 8 * ndirs
    shdr = pe_off + 24 + opt_size
    hdr_size = (shdr + 40 * (nsec + bss) + FA - 1) // FA * FA
    secs = []
    raw = hdr_size
    va = SA
    for i in range(nsec):
        size = FA * (1 + rnd.randrange(4))
        if size_mb and i == nsec - 1:
            size = size_mb << 20
        if gap and i == 1:
            raw += FA
        secs.append((b".s%d" % i, va, size, raw))
        raw += size
        va += (size + SA - 1) // SA * SA
    for i in range(bss):
        secs.append((b".bss%d" % i, va, 0, 0))
        va += SA
    if reverse:
        secs.reverse()
    image = bytearray(raw)
    image[0:2] = b"MZ"
    struct.pack_into("<I", image, 0x3C, pe_off)
    image[pe_off:pe_off + 4] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", image, pe_off + 4, 0x14C if pe32 else 0x8664, len(secs), 0, 0, 0,
                     opt_size, 0x102 if pe32 else 0x22)
    o = pe_off + 24
    if pe32:
        struct.pack_into("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", image, o, 0x10B, 2, 0, 0, 0, 0, SA, SA,
                         0, 0x400000, SA, FA, 0, 0, 0, 0, 0, 0, 0, va, hdr_size, 0, 10, 0,
                         0x100000, 0x1000, 0x100000, 0x1000, 0, ndirs)
    else:
        struct.pack_into("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII", image, o, 0x20B, 2, 0, 0, 0, 0, SA, SA,
                         0, SA, FA, 0, 0, 0, 0, 0, 0, 0, va, hdr_size, 0, 10, 0,
                         0x100000, 0x1000, 0x100000, 0x1000, 0, ndirs)
    for i, (name, sva, size, sraw) in enumerate(secs):
        struct.pack_into("<8sIIIIIIHHI", image, shdr + 40 * i, name, size or SA, sva, size,
                         sraw, 0, 0, 0, 0, 0x60000020 if size else 0xC0000080)
        if not size:
            continue
        if size_mb and name == b".s%d" % (nsec - 1):
            chunk = bytes(rnd.getrandbits(8) for _ in range(1 << 16))
            for k in range(sraw, sraw + size, len(chunk)):
                image[k:k + len(chunk)] = chunk
        else:
            image[sraw:sraw + size] = rnd.randbytes(size)
    image += rnd.randbytes(trailing)
    with open(out, "wb") as f:
        f.write(image)


def offsets(d):
    pe = struct.unpack_from("<I", d, 0x3C)[0]
    opt = pe + 24
    pe32 = struct.unpack_from("<H", d, opt)[0] == 0x10B
    dirs = opt + (96 if pe32 else 112)
    opt_size = struct.unpack_from("<H", d, pe + 20)[0]
    return pe, opt, dirs, opt + opt_size


def patch(path, what, value=None):
    d = bytearray(open(path, "rb").read())
    pe, opt, dirs, shdr = offsets(d)
    secdir = dirs + 32
    if what == "set_der":         # the only entry's DER replaced by the file VALUE's bytes
        der = open(value, "rb").read()
        va = struct.unpack_from("<I", d, secdir)[0]
        entry = struct.pack("<IHH", len(der) + 8, 0x200, 2) + der
        entry += bytes(-len(entry) % 8)
        del d[va:]
        d += entry
        struct.pack_into("<I", d, secdir + 4, len(entry))
        open(path, "wb").write(d)
        return
    v = int(value, 0) if value is not None and "," not in value else None
    if what == "truncate":
        del d[v:]
    elif what == "e_lfanew":
        struct.pack_into("<I", d, 0x3C, v)
    elif what == "nsections":
        struct.pack_into("<H", d, pe + 6, v)
    elif what == "size_of_headers":
        struct.pack_into("<I", d, opt + 60, v)
    elif what == "ndirs":
        struct.pack_into("<I", d, dirs - 4, v)
    elif what == "raw_off":      # section 1's PointerToRawData
        struct.pack_into("<I", d, shdr + 40 + 20, v)
    elif what == "overlap":      # section 1 starts inside section 0
        r0 = struct.unpack_from("<I", d, shdr + 20)[0]
        struct.pack_into("<I", d, shdr + 40 + 20, r0 + FA)
    elif what == "secdir_va":
        struct.pack_into("<I", d, secdir, v)
    elif what == "secdir_size_add":
        va, size = struct.unpack_from("<II", d, secdir)
        struct.pack_into("<I", d, secdir + 4, size + v)
    elif what == "dwlength_add":  # first WIN_CERTIFICATE's dwLength
        va = struct.unpack_from("<I", d, secdir)[0]
        struct.pack_into("<I", d, va, struct.unpack_from("<I", d, va)[0] + v)
    elif what == "cert_type":
        va = struct.unpack_from("<I", d, secdir)[0]
        struct.pack_into("<H", d, va + 6, v)
    elif what == "garbage_pkcs7":  # first entry's DER replaced by junk
        va = struct.unpack_from("<I", d, secdir)[0]
        n = struct.unpack_from("<I", d, va)[0] - 8
        d[va + 8:va + 8 + n] = bytes((i * 7 + 3) & 0xFF for i in range(n))
    elif what == "p7_long_len":   # the only entry's outer length in 3-byte form
        va, size = struct.unpack_from("<II", d, secdir)
        n = struct.unpack_from("<I", d, va)[0]
        der = bytes(d[va + 8:va + n])
        assert der[1] == 0x82
        der = der[:1] + b"\x83\x00" + der[2:]
        entry = struct.pack("<IHH", len(der) + 8, 0x200, 2) + der
        entry += bytes(-len(entry) % 8)
        del d[va:]
        d += entry
        struct.pack_into("<I", d, secdir + 4, len(entry))
    elif what == "insert_entry":  # "K,LEN,REV,TYPE": a zero-filled entry before entry K
        k, n, rev, typ = (int(x, 0) for x in value.split(","))  # (from 1; past the last: after)
        va, size = struct.unpack_from("<II", d, secdir)
        at, i = va, 1
        while at < va + size and i < k:
            at += (struct.unpack_from("<I", d, at)[0] + 7) // 8 * 8
            i += 1
        entry = struct.pack("<IHH", n, rev, typ) + bytes(max(n - 8, 0))
        entry += bytes(-len(entry) % 8)
        d[at:at] = entry
        struct.pack_into("<I", d, secdir + 4, size + len(entry))
    elif what == "to_guid":       # the only entry as WIN_CERTIFICATE_UEFI_GUID (EFI_CERT_TYPE_PKCS7)
        va, size = struct.unpack_from("<II", d, secdir)
        n = struct.unpack_from("<I", d, va)[0]
        der = bytes(d[va + 8:va + n])
        guid = bytes.fromhex("9dd2af4adf68ee498aa9347d375665a7")
        entry = struct.pack("<IHH", 24 + len(der), 0x200, 0x0EF1) + guid + der
        entry += bytes(-len(entry) % 8)
        del d[va:]
        d += entry
        struct.pack_into("<I", d, secdir + 4, len(entry))
    elif what == "cert_rev":      # first entry's wRevision
        va = struct.unpack_from("<I", d, secdir)[0]
        struct.pack_into("<H", d, va + 4, v)
    elif what == "unpad":         # drop the last entry's padding from the table and the file
        va, size = struct.unpack_from("<II", d, secdir)
        at = va
        while True:
            n = struct.unpack_from("<I", d, at)[0]
            if at + (n + 7) // 8 * 8 >= va + size:
                break
            at += (n + 7) // 8 * 8
        if n % 8 == 0:
            sys.exit("sign-mkpe.py: unpad: the last entry needs no padding")
        del d[at + n:]
        struct.pack_into("<I", d, secdir + 4, at + n - va)
    elif what == "table_shift":   # the table moved VALUE bytes on (zeros before it)
        va, size = struct.unpack_from("<II", d, secdir)
        d[va:va] = bytes(v)
        struct.pack_into("<I", d, secdir, va + v)
    elif what == "flip":          # flip one byte at an offset
        d[v] ^= 0xFF
    elif what == "checksum":
        struct.pack_into("<I", d, opt + 64, v)
    else:
        sys.exit("sign-mkpe.py: unknown patch " + what)
    open(path, "wb").write(d)


def get(path, what):
    d = open(path, "rb").read()
    pe, opt, dirs, shdr = offsets(d)
    secdir = dirs + 32
    if what == "checksum":
        print(struct.unpack_from("<I", d, opt + 64)[0])
    elif what == "checksum_off":
        print(opt + 64)
    elif what == "secdir":
        print("%d %d" % struct.unpack_from("<II", d, secdir))
    elif what == "entries":      # offset dwLength revision type, one line each
        va, size = struct.unpack_from("<II", d, secdir)
        at = va
        while at < va + size:
            n, rev, typ = struct.unpack_from("<IHH", d, at)
            print("%d %d %d %d" % (at, n, rev, typ))
            at += (n + 7) // 8 * 8
    elif what == "first_section":
        print(struct.unpack_from("<I", d, shdr + 20)[0])
    elif what == "entry_der":    # DER of entry N (1-based) to stdout
        va, size = struct.unpack_from("<II", d, secdir)
        at = va
        want = int(sys.argv[4])
        k = 1
        while at < va + size:
            n = struct.unpack_from("<I", d, at)[0]
            if k == want:
                sys.stdout.buffer.write(d[at + 8:at + n])
                return
            at += (n + 7) // 8 * 8
            k += 1
    else:
        sys.exit("sign-mkpe.py: unknown field " + what)


def main():
    a = sys.argv[1:]
    if a[0] == "make":
        kw = {}
        out = a[1]
        i = 2
        while i < len(a):
            if a[i] == "--pe32":
                kw["pe32"] = True
            elif a[i] == "--gap":
                kw["gap"] = True
            elif a[i] == "--reverse":
                kw["reverse"] = True
            else:
                key = {"--sections": "nsec", "--trailing": "trailing", "--seed": "seed",
                       "--ndirs": "ndirs", "--size-mb": "size_mb", "--bss": "bss",
                       "--pe-off": "pe_off"}[a[i]]
                kw[key] = int(a[i + 1], 0)
                i += 1
            i += 1
        make(out, **kw)
    elif a[0] == "patch":
        patch(a[1], a[2], a[3] if len(a) > 3 else None)
    elif a[0] == "get":
        get(a[1], a[2])


main()
