#!/usr/bin/python3
"""Check an SPDX 2.3 JSON document against the rules of spec/sbom.md that the
JSON schema leaves out (and, with --schema, against the schema too).

usage: spdx-check.py [--schema SCHEMA.json] [--forbid TEXT]... FILE.spdx.json
Prints one line per broken rule on stderr; exit 0 when none is broken.
"""
import hashlib
import json
import re
import sys
import urllib.parse
import uuid

problems = []


def bad(msg):
    problems.append(msg)


def no_dup_keys(pairs):
    keys = [k for k, _ in pairs]
    for k in set(keys):
        if keys.count(k) > 1:
            bad("duplicate key %r" % k)
    return dict(pairs)


def main(argv):
    schema = None
    forbid = []
    args = argv[1:]
    while len(args) > 1:
        if args[0] == "--schema":
            schema = args[1]
        elif args[0] == "--forbid":
            forbid.append(args[1])
        else:
            break
        args = args[2:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    raw = open(args[0], "rb").read()

    # Text form: UTF-8, LF line ends, a final newline.
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        print("not UTF-8: %s" % e, file=sys.stderr)
        return 1
    if "\r" in text:
        bad("CR in the text")
    if not text.endswith("}\n"):
        bad("no final newline after the document")
    doc = json.loads(text, object_pairs_hook=no_dup_keys)

    if schema is not None:
        import jsonschema
        with open(schema) as f:
            sch = json.load(f)
        v = jsonschema.Draft7Validator(sch)
        for e in sorted(v.iter_errors(doc), key=str):
            bad("schema: %s at %s" % (e.message, "/".join(map(str, e.absolute_path))))

    # Document.
    for k, want in (("spdxVersion", "SPDX-2.3"), ("dataLicense", "CC0-1.0"),
                    ("SPDXID", "SPDXRef-DOCUMENT")):
        if doc.get(k) != want:
            bad("%s is %r, not %r" % (k, doc.get(k), want))
    if not isinstance(doc.get("name"), str) or not doc["name"]:
        bad("no document name")

    # Namespace: an absolute URI without '#', ending in a UUIDv5 of the
    # SHA-256 of the document without its namespace line.
    ns = doc.get("documentNamespace")
    if not isinstance(ns, str):
        bad("no documentNamespace")
    else:
        u = urllib.parse.urlsplit(ns)
        if not u.scheme or not u.netloc:
            bad("documentNamespace %r is not an absolute URI" % ns)
        if "#" in ns:
            bad("documentNamespace %r has a '#'" % ns)
        m = re.search(r"-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", ns)
        if not m:
            bad("documentNamespace %r does not end in a UUID" % ns)
        else:
            got = uuid.UUID(m.group(1))
            if got.version != 5 or got.variant != uuid.RFC_4122:
                bad("documentNamespace UUID %s is not an RFC 4122 version 5 UUID" % got)
            lines = text.split("\n")
            nsl = [i for i, l in enumerate(lines) if l.startswith('  "documentNamespace": ')]
            if len(nsl) != 1:
                bad("documentNamespace is not on a line of its own")
            else:
                rest = "\n".join(lines[:nsl[0]] + lines[nsl[0] + 1:]).encode()
                want = uuid.uuid5(uuid.NAMESPACE_URL, hashlib.sha256(rest).hexdigest())
                if want != got:
                    bad("namespace UUID %s is not uuid5(URL, sha256(document without it)) %s"
                        % (got, want))

    ci = doc.get("creationInfo", {})
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(ci.get("created"))):
        bad("created %r is not YYYY-MM-DDThh:mm:ssZ" % ci.get("created"))
    creators = ci.get("creators", [])
    if not any(re.fullmatch(r"Tool: igos-sbom-\d+\.\d+", c) for c in creators):
        bad("no 'Tool: igos-sbom-X.Y' creator")
    for c in creators:
        if not re.match(r"(Tool|Organization|Person): .", c):
            bad("creator %r has no Tool:/Organization:/Person: form" % c)
    if creators != sorted(creators):
        bad("creators not sorted")

    # Elements.
    pkgs = doc.get("packages", [])
    files = doc.get("files", [])
    ids = ["SPDXRef-DOCUMENT"] + [p.get("SPDXID") for p in pkgs] + [f.get("SPDXID") for f in files]
    for i in ids:
        if not isinstance(i, str) or not re.fullmatch(r"SPDXRef-[A-Za-z0-9.-]+", i):
            bad("SPDXID %r not of the form SPDXRef-[A-Za-z0-9.-]+" % (i,))
    if len(set(ids)) != len(ids):
        bad("SPDXIDs are not unique")

    def sums(el, what):
        cs = el.get("checksums", [])
        algs = [c.get("algorithm") for c in cs]
        if algs != sorted(algs):
            bad("%s: checksums not sorted by algorithm" % what)
        got = {c.get("algorithm"): c.get("checksumValue") for c in cs}
        for alg, n in (("SHA1", 40), ("SHA256", 64)):
            if not re.fullmatch("[0-9a-f]{%d}" % n, str(got.get(alg))):
                bad("%s: no lower-case hex %s checksum" % (what, alg))

    loc = re.compile(r"NONE|NOASSERTION|[A-Za-z][A-Za-z0-9+.-]*:\S+")
    for p in pkgs:
        what = "package %s" % p.get("SPDXID")
        if not loc.fullmatch(str(p.get("downloadLocation"))):
            bad("%s: downloadLocation %r" % (what, p.get("downloadLocation")))
        if p.get("filesAnalyzed") is not False:
            bad("%s: filesAnalyzed is not false" % what)
        if p.get("primaryPackagePurpose") == "SOURCE":
            sums(p, what)
    for f in files:
        what = "file %s" % f.get("SPDXID")
        sums(f, what)
        fn = f.get("fileName", "")
        if fn.startswith("/") or not fn.startswith("./"):
            bad("%s: fileName %r is not relative './...'" % (what, fn))
    if [p.get("SPDXID") for p in pkgs] != sorted(p.get("SPDXID") for p in pkgs):
        bad("packages not sorted by SPDXID")
    if [f.get("fileName") for f in files] != sorted(f.get("fileName") for f in files):
        bad("files not sorted by fileName")

    # Relationships: both ends exist; exactly one DESCRIBES, from the document.
    rels = doc.get("relationships", [])
    keyed = [(r.get("spdxElementId"), r.get("relationshipType"), r.get("relatedSpdxElement"))
             for r in rels]
    if keyed != sorted(keyed):
        bad("relationships not sorted by (id, type, related)")
    if len(set(keyed)) != len(keyed):
        bad("a relationship is repeated")
    for a, t, b in keyed:
        for end in (a, b):
            if end not in ids:
                bad("relationship %s %s %s: no element %s" % (a, t, b, end))
    desc = [k for k in keyed if k[1] == "DESCRIBES"]
    if len(desc) != 1:
        bad("%d DESCRIBES relationships, not one" % len(desc))
    elif desc[0][0] != "SPDXRef-DOCUMENT":
        bad("DESCRIBES is not from SPDXRef-DOCUMENT")
    elif desc[0][2] not in [p.get("SPDXID") for p in pkgs]:
        bad("the document does not describe a package")

    # Nothing of the machine it was made on.
    def strings(o):
        if isinstance(o, dict):
            for v in o.values():
                yield from strings(v)
        elif isinstance(o, list):
            for v in o:
                yield from strings(v)
        elif isinstance(o, str):
            yield o
    for s in strings(doc):
        for f in forbid:
            if f and f in s:
                bad("%r appears in %r" % (f, s))

    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
