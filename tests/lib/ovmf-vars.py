#!/usr/bin/env python3
# Read one variable from an OVMF NVRAM file (the VARS .fd qemu writes), as the
# firmware will see it at the next boot: ovmf-vars.py VARS NAME [GUID]
# prints the data in hex, or "absent". Only variables in the added state
# count: OVMF marks a deleted or replaced variable, it does not erase it.
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


def main():
    fd = open(sys.argv[1], "rb").read()
    want, guid = sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else SHIM
    live = [d for n, g, s, a, d in variables(fd)
            if n == want and g == guid and s in (VAR_ADDED, IN_DELETED_TRANSITION)]
    print(live[-1].hex() if live else "absent")


main()
