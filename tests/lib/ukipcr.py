#!/usr/bin/env python3
"""PCR 11 of each profile of a UKI as systemd-stub 257 measures it, computed
here from the PE section table with hashlib alone (no igos code), for tests
to hold igos-ukify's .pcrsig and igos-measure's predictions against.

ukipcr.py UKI PROFILE     prints "PHASE POL" for systemd's four default
                          phase paths (POL: the TPM2 PolicyPCR digest, hex),
                          then "pcr HEX" (PCR 11 right after the stub).
ukipcr.py UKI --dump I    writes section I's (from 0, in PE order)
                          VirtualSize bytes to standard output.
ukipcr.py UKI --files K PREFIX
                          writes each section profile K uses to a file
                          PREFIX + its name (PREFIX.linux, ...).
Profile N uses its own section of a name, else the base's (the sections
before the first .profile); a UKI without .profile has profile 0 only."""
import hashlib
import struct
import sys

ORDER = ['.linux', '.osrel', '.cmdline', '.initrd', '.ucode', '.splash', '.dtb',
         '.uname', '.sbat', '.pcrpkey', '.profile', '.dtbauto', '.hwids', '.efifw']
PHASES = ['enter-initrd', 'enter-initrd:leave-initrd',
          'enter-initrd:leave-initrd:sysinit',
          'enter-initrd:leave-initrd:sysinit:ready']


def sections(d):
    pe = struct.unpack_from('<I', d, 0x3c)[0]
    nsec, optsize = struct.unpack_from('<H', d, pe + 6)[0], struct.unpack_from('<H', d, pe + 20)[0]
    out = []
    for i in range(nsec):
        h = pe + 24 + optsize + 40 * i
        name = d[h:h + 8].rstrip(b'\0').decode()
        vsize, _va, rsize, rptr = struct.unpack_from('<IIII', d, h + 8)
        data = d[rptr:rptr + min(vsize, rsize)]
        out.append((name, data + bytes(vsize - len(data))))
    return out


def chosen(secs, k):
    starts = [i for i, (n, _) in enumerate(secs) if n == '.profile']
    base_end = starts[0] if starts else len(secs)
    pick = {}
    if starts:
        end = starts[k + 1] if k + 1 < len(starts) else len(secs)
        for n, data in secs[starts[k]:end]:
            pick.setdefault(n, data)
    elif k != 0:
        sys.exit('no profile %d' % k)
    for n, data in secs[:base_end]:
        pick.setdefault(n, data)
    return pick


def main():
    secs = sections(open(sys.argv[1], 'rb').read())
    if sys.argv[2] == '--dump':
        sys.stdout.buffer.write(secs[int(sys.argv[3])][1])
        return
    if sys.argv[2] == '--files':
        for n, data in chosen(secs, int(sys.argv[3])).items():
            open(sys.argv[4] + n, 'wb').write(data)
        return
    pick = chosen(secs, int(sys.argv[2]))
    H = lambda b: hashlib.sha256(b).digest()
    p = bytes(32)
    for n in ORDER:
        if pick.get(n):
            p = H(p + H(n.encode() + b'\0'))
            p = H(p + H(pick[n]))
    for path in PHASES:
        v = p
        for w in path.split(':'):
            v = H(v + H(w.encode()))
        sel = struct.pack('>IHB3s', 1, 0x000B, 3, b'\0\x08\0')
        pol = H(bytes(32) + struct.pack('>I', 0x17F) + sel + H(v))
        print(path, pol.hex())
    print('pcr', p.hex())


main()
