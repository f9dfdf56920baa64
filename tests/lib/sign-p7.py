#!/usr/bin/env python3
"""Build an Authenticode PKCS#7 SignedData by hand, with one chosen field off
the usual, for the igos-sign tests (openssl, sbsign and osslsigncode each make
only well-formed ones).

  sign-p7.py spc SIG.der OUT       the SpcIndirectDataContent (whole DER) of SIG
  sign-p7.py build SPC KEY CERT OUT [--md sha256|sha384] [--set LIST]
             [--enc OID] [--signers N] [--no-certs] [--digest-oid OID]
             [--bad-digest] [--extra-cert CERT] [--embed CERT]

build signs SPC (a SpcIndirectDataContent) with KEY (RSA, PKCS#1 v1.5 through
openssl dgst) over signed attributes (contentType, messageDigest of SPC's value
octets, as Authenticode signs them):
  --md        the signer's digest (default sha256)
  --set       the SignedData's digestAlgorithms, in this order (default: --md),
              each a name above or an OID
  --enc       the signer's digestEncryptionAlgorithm OID (default rsaEncryption);
              the signature stays PKCS#1 v1.5 whatever it names
  --signers   the same SignerInfo N times (default 1)
  --no-certs  no certificates in the SignedData
  --digest-oid  the signer's digestAlgorithm written as this OID (the
              signature is then over --md still, so it no longer verifies)
  --bad-digest  the messageDigest attribute of other bytes (the signature over
              the attributes stays valid)
"""
import base64
import hashlib
import subprocess
import sys
import tempfile

MD_OID = {"sha1": "1.3.14.3.2.26", "sha256": "2.16.840.1.101.3.4.2.1",
          "sha384": "2.16.840.1.101.3.4.2.2", "sha512": "2.16.840.1.101.3.4.2.3"}
RSA = "1.2.840.113549.1.1.1"
SIGNED_DATA = "1.2.840.113549.1.7.2"
SPC_INDIRECT = "1.3.6.1.4.1.311.2.1.4"
CONTENT_TYPE = "1.2.840.113549.1.9.3"
MESSAGE_DIGEST = "1.2.840.113549.1.9.4"


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + body


def oid(s):
    p = [int(x) for x in s.split(".")]
    out = bytes([40 * p[0] + p[1]])
    for v in p[2:]:
        enc = [v & 0x7F]
        v >>= 7
        while v:
            enc.append(0x80 | (v & 0x7F))
            v >>= 7
        out += bytes(reversed(enc))
    return tlv(0x06, out)


def seq(*parts):
    return tlv(0x30, b"".join(parts))


def algid(o):
    return seq(oid(o), b"\x05\x00")


def children(d):
    """The TLVs (whole) in the value octets d."""
    out, i = [], 0
    while i < len(d):
        n = d[i + 1]
        h = 2
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(d[i + 2:i + 2 + k], "big")
            h += k
        out.append(d[i:i + h + n])
        i += h + n
    return out


def value(t):
    """The value octets of one whole TLV."""
    n = t[1]
    return t[2 + (n & 0x7F if n & 0x80 else 0):]


def spc(sig, out):
    signed = value(children(value(children(value(sig))[1]))[0])
    content = children(value(children(signed)[2]))[1]     # [0] EXPLICIT of the ContentInfo
    open(out, "wb").write(children(value(content))[0])


def pem_der(path):
    pem = open(path).read()
    return base64.b64decode("".join(l for l in pem.splitlines() if l and "-----" not in l))


def build(spcf, key, cert, out, md="sha256", mdset=None, enc=RSA, signers=1, certs=True,
          digest_oid=None, bad_digest=False, extra=None, embed=None):
    content = open(spcf, "rb").read()
    der = pem_der(cert)
    tbs = children(value(children(value(der))[0]))
    if tbs[0][0] == 0xA0:
        tbs = tbs[1:]
    serial, issuer = tbs[0], tbs[2]
    h = hashlib.new(md, value(content) + (b"x" if bad_digest else b"")).digest()
    attrs = sorted([seq(oid(CONTENT_TYPE), tlv(0x31, oid(SPC_INDIRECT))),
                    seq(oid(MESSAGE_DIGEST), tlv(0x31, tlv(0x04, h)))])
    with tempfile.NamedTemporaryFile() as a, tempfile.NamedTemporaryFile() as s:
        a.write(tlv(0x31, b"".join(attrs)))
        a.flush()
        subprocess.run(["openssl", "dgst", "-" + md, "-sign", key, "-out", s.name, a.name],
                       check=True)
        sig = open(s.name, "rb").read()
    si = seq(b"\x02\x01\x01", seq(issuer, serial), algid(digest_oid or MD_OID[md]),
             tlv(0xA0, b"".join(attrs)), algid(enc), tlv(0x04, sig))
    sd = seq(b"\x02\x01\x01",
             tlv(0x31, b"".join(algid(MD_OID.get(m, m)) for m in (mdset or [md]))),
             seq(oid(SPC_INDIRECT), tlv(0xA0, content)),
             tlv(0xA0, (pem_der(extra) if extra else b"") + (pem_der(embed) if embed else der))
             if certs else b"",
             tlv(0x31, si * signers))
    open(out, "wb").write(seq(oid(SIGNED_DATA), tlv(0xA0, sd)))


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "spc":
        spc(open(a[1], "rb").read(), a[2])
        return
    if len(a) < 5 or a[0] != "build":
        sys.exit(__doc__)
    kw, i = {}, 5
    while i < len(a):
        o = a[i]
        if o == "--md":
            kw["md"] = a[i + 1]
        elif o == "--set":
            kw["mdset"] = a[i + 1].split(",")
        elif o == "--enc":
            kw["enc"] = a[i + 1]
        elif o == "--signers":
            kw["signers"] = int(a[i + 1])
        elif o == "--embed":
            kw["embed"] = a[i + 1]
        elif o == "--extra-cert":
            kw["extra"] = a[i + 1]
        elif o == "--digest-oid":
            kw["digest_oid"] = a[i + 1]
        elif o == "--no-certs":
            kw["certs"] = False
            i -= 1
        elif o == "--bad-digest":
            kw["bad_digest"] = True
            i -= 1
        else:
            sys.exit("sign-p7.py: unknown option " + o)
        i += 2
    build(*a[1:5], **kw)


if __name__ == "__main__":
    main()
