# tests/t/996: igos-index-verify(1)'s examples: a signed index where curl would put
# it, the master key pinned in /etc/igos/index-masters, the packages in pkgs/.
doc_not_run 'curl -O https://mirror/*' "no network in the tests: the setup puts the two files there"
openssl genpkey -algorithm ed25519 -out master.pem 2>/dev/null && chmod 600 master.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out sub.pem 2>/dev/null &&
	chmod 600 sub.pem && openssl pkey -in sub.pem -pubout -out sub.pub
mkdir -p /etc/igos/index-masters pkgs
openssl pkey -in master.pem -pubout -out /etc/igos/index-masters/master.pub
for p in a-1 b-2; do head -c 1000 /dev/urandom >pkgs/$p.pkg.tar.zst; done
igos-index-sign certify --master-key master.pem --subkey sub.pub --serial 3 \
	--scope 'core x86_64' --not-after 2036-01-01T00:00:00Z -o sub.cert
igos-index-sign build -o InterGenOS.db pkgs/*.pkg.tar.zst
igos-index-sign sign --key sub.pem --cert sub.cert --repo core --arch x86_64 --version 1 \
	InterGenOS.db 2>/dev/null
