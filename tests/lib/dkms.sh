# DKMS in a private mount namespace, for tests/t/141-dkms-sign.t and
# tests/vm/dkms-module.t; sourced after tap.sh and vm.sh. The machine is not
# changed: /usr, /etc and /var are overlaid with directories of the test.
#
# dkms_reexec SCRIPT ARGS...
#     First thing in a test, before tap.sh: runs the script again in a new
#     mount namespace (unshare -m), with IGOS_DKMS_NS=1; dkms_ns skips the
#     test when that could not be done.
# dkms_ns
#     After vm_kernel and vm_headers: the overlays (/usr gets VM_HEADERS_USR as
#     an upper lower layer, so the headers are where the package puts them),
#     the igos DKMS configuration installed (make install-dkms) calling the
#     commands of $IGOS_BUILD/bin, and no /etc/kernel/uki.conf.
# dkms_module
#     The out-of-tree module igostest 1.0 (igostest.c, Kbuild, dkms.conf) in
#     /usr/src/igostest-1.0, added to DKMS.
# dkms_build
#     dkms build igostest/1.0 for VM_KVER against VM_HEADERS (forced: a
#     rebuild each time); DKMS's output in $T/dkms.out, its status returned;
#     DKMS_KO is the module it keeps.

dkms_reexec() {
	if [ -z "${IGOS_DKMS_NS:-}" ] && unshare -m true 2>/dev/null; then
		IGOS_DKMS_NS=1 exec unshare -m --propagation private sh "$@"
	fi
}

dkms_ns() {
	[ -n "${IGOS_DKMS_NS:-}" ] || skip_all "cannot make a mount namespace (unshare -m)"
	need dkms make gcc mount
	for _d in usr etc var; do
		mkdir -p "$T/up/$_d" "$T/work/$_d" || return 1
		_lower=/$_d
		[ "$_d" = usr ] && _lower=$VM_HEADERS_USR:/usr
		mount -t overlay overlay -o "lowerdir=$_lower,upperdir=$T/up/$_d,workdir=$T/work/$_d" "/$_d" ||
			{ diag "cannot overlay /$_d"; return 1; }
	done
	rm -f /etc/kernel/uki.conf /usr/lib/kernel/uki.conf /etc/dkms/framework.conf.d/*
	rm -rf /var/lib/dkms/* /usr/lib/igos
	make -s -C "$IGOS_SRC" install-dkms BINDIR="$IGOS_BUILD/bin" LIBEXECDIR=/usr/lib/igos >/dev/null
}

dkms_module() {
	_m=/usr/src/igostest-1.0
	mkdir -p "$_m" || return 1
	cat >"$_m/igostest.c" <<-'C'
	/* the module DKMS builds in the igos tests: says it was loaded */
	#include <linux/init.h>
	#include <linux/module.h>
	static int __init igostest_init(void) { pr_info("igostest: loaded\n"); return 0; }
	static void __exit igostest_exit(void) { }
	module_init(igostest_init);
	module_exit(igostest_exit);
	MODULE_LICENSE("GPL");
	C
	echo 'obj-m := igostest.o' >"$_m/Kbuild"
	cat >"$_m/dkms.conf" <<-'D'
	PACKAGE_NAME=igostest
	PACKAGE_VERSION=1.0
	BUILT_MODULE_NAME[0]=igostest
	DEST_MODULE_LOCATION[0]=/updates/dkms
	D
	dkms add -m igostest -v 1.0 >"$T/dkms-add.out" 2>&1
}

dkms_build() {
	_rc=0
	dkms build -m igostest -v 1.0 -k "$VM_KVER" --kernelsourcedir "$VM_HEADERS" --force \
		>"$T/dkms.out" 2>&1 || _rc=$?
	DKMS_KO=
	for _k in /var/lib/dkms/igostest/1.0/"$VM_KVER"/*/module/igostest.ko*; do
		[ -f "$_k" ] && DKMS_KO=$_k
	done
	return $_rc
}
