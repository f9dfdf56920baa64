#!/bin/sh
# The license-expression check against a peer: Debian's spdx-expression-parse
# (node) accepts and refuses the same expressions, and igos-sbom's normalised
# licenseDeclared parses to the same tree as what was given.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sbom.sh"
need igos-sbom node
[ -r /usr/share/nodejs/spdx-expression-parse/index.js ] ||
	skip_all "node-spdx-expression-parse not installed (make deps)"
export SOURCE_DATE_EPOCH=1700000000 NODE_PATH=/usr/share/nodejs

# Ids from the SPDX license list only: the peer also checks the list, we
# check the syntax.
cat > corpus <<'EOF2'
MIT
GPL-2.0+
GPL-2.0-or-later
BSD-2-Clause-Patent
LGPL-2.1-only OR MIT
MIT AND BSD-2-Clause
MIT OR Apache-2.0 AND BSD-3-Clause
MIT AND Apache-2.0 OR BSD-3-Clause
(MIT OR Apache-2.0) AND BSD-3-Clause
GPL-2.0-only WITH Linux-syscall-note
GPL-2.0-only WITH Linux-syscall-note AND MIT
MIT OR GPL-2.0-or-later WITH Classpath-exception-2.0
LicenseRef-InterGenOS
DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2
Apache-2.0 AND LicenseRef-x OR MIT
((MIT))
( MIT OR ( Apache-2.0 AND ( BSD-2-Clause OR ISC ) ) )
MIT   AND	Zlib
MIT and BSD-3-Clause
MIT Apache-2.0
MIT OR
OR MIT
AND
MIT AND AND Apache-2.0
(MIT
MIT)
()
MIT,Apache-2.0
LicenseRef-x+
(MIT OR BSD-2-Clause) WITH Classpath-exception-2.0
MIT WITH
MIT WITH LicenseRef-x
MIT WITH Classpath-exception-2.0 WITH Classpath-exception-2.0
GPL-2.0++
EOF2

cat > peer.js <<'EOF2'
// One line in, "ok TREE" or "refused" out.
const parse = require("spdx-expression-parse");
const lines = require("fs").readFileSync(process.argv[2], "utf8").split("\n");
if (lines[lines.length - 1] === "") lines.pop();
for (const l of lines) {
	let out;
	try { out = "ok " + JSON.stringify(parse(l)); } catch (e) { out = "refused"; }
	console.log(out);
}
EOF2
ok "the peer runs" sh -c 'node peer.js corpus > peer.out'

: > ours.norm
while IFS= read -r e; do
	if igos-sbom --name x --package-version 1 --license "$e" > doc.json 2>/dev/null; then
		"$PY" -c 'import json; print(json.load(open("doc.json"))["packages"][0]["licenseDeclared"])' >> ours.norm
		echo accepted
	else
		echo refused
	fi
done < corpus > ours.out
n=0
while IFS= read -r e; do
	n=$((n + 1))
	peer=$(sed -n "${n}p" peer.out)
	mine=$(sed -n "${n}p" ours.out)
	case $peer in ok*) peer=accepted ;; esac
	is "$mine" "$peer" "'$e': $peer by both"
done < corpus
node peer.js ours.norm > peer.norm
is "$(cat peer.norm)" "$(grep '^ok' peer.out)" \
	"each normalised expression parses to the tree of the one given"
done_testing
