# tests/t/996: igos-sbom(1)'s examples: a shim-like build (tests/lib/sbom.sh) in a
# git checkout, the vendor certificate where the example names it, the schema.
. "$TESTLIB/sbom.sh"
need git jsonschema
sbom_fixture
mv patches/0001-return-an-error.patch patches/0001-sbat.patch
mv patches/0002-sbat.patch patches/0002-vendor.patch
cp certs/vendor.der certs/intergenos-ca.der
git init -q . && git -c user.name=d -c user.email=d@x commit -q --allow-empty -m docs
# as tests/t/81: the schema is checked where it is (the shared data of the project)
if [ -r "$SPDX_SCHEMA" ]; then
	cp "$SPDX_SCHEMA" spdx-schema.json
else
	doc_not_run 'jsonschema *' "the SPDX 2.3 schema is not at $SPDX_SCHEMA (tests/lib/sbom.sh)"
fi
