#!/usr/bin/env python3
# Writes a TPM event log as firmware leaves it (crypto-agile: a SHA-1-format
# Spec ID Event03, then TCG_PCR_EVENT2s with SHA-1 and SHA-256), for the
# igos-sbkeys enroll tests. Each argument adds an event:
#   driver:SHA256HEX[:PCIDEV]   an EV_EFI_BOOT_SERVICES_DRIVER in PCR 2 (an option
#                               ROM at PciRoot(0x0)/Pci(PCIDEV,0x0)/Offset(0x0,0xffff))
#   authority:OWNERGUID:DERFILE an EV_EFI_VARIABLE_AUTHORITY (db) in PCR 7
#   app:SHA256HEX               an EV_EFI_BOOT_SERVICES_APPLICATION in PCR 4
#   truncate:N                  cut the log to N bytes (a broken log)
#   legacy                      (first) the old SHA-1-only format instead
# usage: tpmlog.py OUT ARG...
import struct, sys, uuid

legacy = len(sys.argv) > 2 and sys.argv[2] == 'legacy'

def ev2(pcr, typ, sha256, data):
    if legacy:
        return struct.pack('<II', pcr, typ) + b'\0' * 20 + struct.pack('<I', len(data)) + data
    d = struct.pack('<IIIH', pcr, typ, 2, 0x0004) + b'\0' * 20
    d += struct.pack('<H', 0x000b) + sha256 + struct.pack('<I', len(data)) + data
    return d

spec = b'Spec ID Event03\0' + struct.pack('<IBBBB', 0, 0, 2, 0, 2)
spec += struct.pack('<I', 2) + struct.pack('<HHHH', 0x0004, 20, 0x000b, 32) + b'\0'
log = struct.pack('<II', 0, 3) + b'\0' * 20 + struct.pack('<I', len(spec)) + spec
if legacy:
    log = b''

cut = None
for a in sys.argv[2:]:
    f = a.split(':')
    if f[0] == 'driver':
        dev = int(f[2], 0) if len(f) > 2 else 2
        dp = struct.pack('<BBHII', 2, 1, 12, 0x0a0341d0, 0)
        dp += struct.pack('<BBHBB', 1, 1, 6, 0, dev)
        dp += struct.pack('<BBHIQQ', 4, 8, 24, 0, 0, 0xffff)
        dp += struct.pack('<BBH', 0x7f, 0xff, 4)
        data = struct.pack('<QQQQ', 0x7e000000, 0x10000, 0, len(dp)) + dp
        log += ev2(2, 0x80000004, bytes.fromhex(f[1]), data)
    elif f[0] == 'app':
        dp = struct.pack('<BBH', 0x7f, 0xff, 4)
        data = struct.pack('<QQQQ', 0x7d000000, 0x10000, 0, len(dp)) + dp
        log += ev2(4, 0x80000003, bytes.fromhex(f[1]), data)
    elif f[0] == 'authority':
        sigdata = uuid.UUID(f[1]).bytes_le + open(f[2], 'rb').read()
        name = 'db'.encode('utf-16-le')
        data = uuid.UUID('d719b2cb-3d3a-4596-a3bc-dad00e67656f').bytes_le
        data += struct.pack('<QQ', 2, len(sigdata)) + name + sigdata
        log += ev2(7, 0x800000e0, b'\0' * 32, data)
    elif f[0] == 'legacy':
        pass
    elif f[0] == 'truncate':
        cut = int(f[1])
    else:
        sys.exit('tpmlog.py: bad argument ' + a)
if cut is not None:
    log = log[:cut]
open(sys.argv[1], 'wb').write(log)
