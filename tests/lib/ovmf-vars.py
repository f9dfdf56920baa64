#!/usr/bin/env python3
# Read one variable from an OVMF NVRAM file (the VARS .fd qemu writes), as the
# firmware will see it at the next boot: ovmf-vars.py VARS NAME [GUID]
# prints the data in hex, or "absent". Only variables in the added state
# count: OVMF marks a deleted or replaced variable, it does not erase it.
# ovmf-vars.py --set VARS OUT NAME GUID ATTR DATAFILE: OUT is VARS with one
# variable added after the last one (as the firmware appends; NAME must not be
# there yet), unauthenticated (counter, time stamp and key index zero): a
# MokList with ATTR 3 (NV|BS), as MokManager leaves it, without a MokManager
# boot.
# (Layout: firmware volume header, variable store header, then
# authenticated variable headers, each 4-byte aligned; EDK2's
# VariableFormat.h.)
import struct
import sys
import uuid

SHIM = "605dab50-e046-4300-abb6-3dd810dd8b23"
VAR_ADDED = 0x3F
IN_DELETED_TRANSITION = 0x3E  # added, being replaced: still the live copy


def variables(fd):
    if fd[40:44] != b"_FVH":
        raise SystemExit("not a firmware volume")
    hlen = struct.unpack_from("<H", fd, 48)[0]
    store = hlen
    size = struct.unpack_from("<I", fd, store + 16)[0]
    off, end = store + 28, store + size
    while off + 60 <= end:
        start, state, _r, attr = struct.unpack_from("<HBBI", fd, off)
        if start != 0x55AA:
            break
        nsize, dsize = struct.unpack_from("<II", fd, off + 36)
        guid = str(uuid.UUID(bytes_le=fd[off + 44:off + 60]))
        name = fd[off + 60:off + 60 + nsize].decode("utf-16-le").rstrip("\0")
        data = fd[off + 60 + nsize:off + 60 + nsize + dsize]
        yield name, guid, state, attr, data
        off = (off + 60 + nsize + dsize + 3) & ~3


def add(vars_in, out, name, guid, attr, datafile):
    fd = bytearray(open(vars_in, "rb").read())
    if any(n == name and g == guid and s in (VAR_ADDED, IN_DELETED_TRANSITION)
           for n, g, s, a, d in variables(bytes(fd))):
        raise SystemExit(f"{name} is already in {vars_in}")
    hlen = struct.unpack_from("<H", fd, 48)[0]
    end = hlen + struct.unpack_from("<I", fd, hlen + 16)[0]
    off = hlen + 28
    while off + 60 <= end and struct.unpack_from("<H", fd, off)[0] == 0x55AA:
        nsize, dsize = struct.unpack_from("<II", fd, off + 36)
        off = (off + 60 + nsize + dsize + 3) & ~3
    name_b = (name + "\0").encode("utf-16-le")
    data = open(datafile, "rb").read()
    rec = struct.pack("<HBBI", 0x55AA, VAR_ADDED, 0, int(attr, 0)) + bytes(28)
    rec += struct.pack("<II", len(name_b), len(data)) + uuid.UUID(guid).bytes_le
    rec += name_b + data
    if off + len(rec) > end or fd[off:off + len(rec)] != b"\xff" * len(rec):
        raise SystemExit("no free space for the variable")
    fd[off:off + len(rec)] = rec
    open(out, "wb").write(fd)


def main():
    if sys.argv[1] == "--set":
        add(*sys.argv[2:8])
        return
    fd = open(sys.argv[1], "rb").read()
    want, guid = sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else SHIM
    live = [d for n, g, s, a, d in variables(fd)
            if n == want and g == guid and s in (VAR_ADDED, IN_DELETED_TRANSITION)]
    print(live[-1].hex() if live else "absent")


main()
