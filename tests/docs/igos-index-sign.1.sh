# tests/t/996: igos-index-sign(1)'s examples (the master key, the release token, packages).
docs_tokens subkey
openssl genpkey -algorithm ed25519 -out master.pem 2>/dev/null && chmod 600 master.pem
mkdir repo
for p in a-1 b-2; do head -c 1000 /dev/urandom >repo/$p.pkg.tar.zst; done
doc_tty "*pkcs11:token=*" "$HSM_PIN"
# the two-room example: the master key's public half, the subkey's
openssl pkey -in master.pem -pubout -out master.pub
cp subkey.pub subkey3.pub
