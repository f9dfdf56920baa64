# tests/t/996: igos-verity(1)'s examples: an image, a sparse 1 GiB disk, the
# release token's verity key; opening needs a booted machine's devices.
doc_not_run '*igos-verity open *' "device-mapper and the block devices /dev/vda2, /dev/vda3 \
of a booted machine (tests/vm/ opens a verity root in a VM)"
doc_not_run 'igos-verity status root' "needs the device opened by the previous example"
docs_tokens verity
head -c 8388608 /dev/zero >root.img
truncate -s 1G disk.img
doc_tty "*pkcs11:token=*" "$HSM_PIN"
(umask 077 && cp verity.pem verity.key)
