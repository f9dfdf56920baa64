# Fault injection over a writing command (tests/lib/faultinject.c, LD_PRELOAD).
# The caller defines three functions, then calls fault_suite:
#   f_prep    put the old state back (the target as it was before the command)
#   f_state   print "old", "new", or anything else for a broken target
#   f_cmd     (optional) nothing; the command is given to fault_suite as argv
# fault_suite NAME DIR COMMAND...
#   1. runs the command once, counting the calls the shim can fail and the
#      bytes it writes (the reference outcome must be "new");
#   2. for N = 1 .. calls: the N-th call fails (ENOSPC, EIO, EROFS in turn);
#      the command must fail with a one-line message and leave "old", or
#      succeed and leave "new";
#   3. FAULT_KILLS (default 100) runs SIGKILLed at a random call or a random
#      byte of its writes; afterwards "old" or "new".
# Every run must leave no temporary file (.NAME.XXXXXXXX~) in DIR, except a
# run killed in the window between linkat and renameat (counted, reported).
# FAULT_SEED makes the kill points reproducible. The figures go to stdout as
# TAP diagnostics, and to $FAULT_REPORT if set.
FI=$IGOS_BUILD/tests/faultinject.so
# under SANITIZE=1 the shim is preloaded ahead of the ASan runtime
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
FAULT_KILLS=${FAULT_KILLS:-100}
FAULT_SEED=${FAULT_SEED:-$$}

_fault_temps() { find "$1" -name "${F_TEMPS:-.*~}" 2>/dev/null | head -n 3; }

_fault_one() { # label expect-rc(any|0|nz) env... -- ; uses $_fdir and "$@" after --
	_lbl=$1; shift
	while [ "$1" != -- ]; do _fenv="$_fenv $1"; shift; done; shift
	f_prep
	rm -f "$T/.f.klog"
	# shellcheck disable=SC2086
	env LD_PRELOAD="$FI" FAULT_LOG="$T/.f.klog" $_fenv "$@" >"$T/.f.out" 2>"$T/.f.err" </dev/null
	_frc=$?
	_fenv=
	_fst=$(f_state)
	_ftmp=$(_fault_temps "$_fdir")
	if [ -n "$_ftmp" ]; then
		# linkat gives the O_TMPFILE a temporary name, then renameat replaces
		# the target: a SIGKILL between the two (at the close or the rename)
		# leaves that name; anything else is a leak
		rm -f $_ftmp
		if [ $_frc -eq 137 ] && grep -Eq '^killed at (close|renameat2?)$' "$T/.f.klog" 2>/dev/null; then
			_fk_tmp=$((_fk_tmp + 1))
		elif [ -n "${F_KILL_TEMP_OK:-}" ] && grep -q '^killed at' "$T/.f.klog" 2>/dev/null; then
			_fk_tmp=$((_fk_tmp + 1))
		else
			_fbad="$_fbad|$_lbl: exit $_frc, temp left: $_ftmp"; return
		fi
	fi
	if [ $_frc -eq 137 ] || { [ -n "${F_KILL_TEMP_OK:-}" ] && grep -q '^killed at' "$T/.f.klog" 2>/dev/null; }; then
		case $_fst in
		old) _fk_old=$((_fk_old + 1)) ;;
		new) _fk_new=$((_fk_new + 1)) ;;
		"${F_KILL_OK:-old}") _fk_part=$((_fk_part + 1)) ;;
		*) _fbad="$_fbad|$_lbl: killed, target $_fst" ;;
		esac
	elif [ $_frc -eq 0 ]; then
		if [ "$_fst" = new ]; then _f_ok=$((_f_ok + 1)); else
			_fbad="$_fbad|$_lbl: exit 0 but target $_fst"; fi
	else
		if [ "$_fst" = new ] && [ -n "${F_FAILNEW_OK:-}" ]; then
			_f_late=$((_f_late + 1))
		elif [ "$_fst" = new ] && grep -q 'cannot sync the directory' "$T/.f.err" 2>/dev/null; then
			# renamed into place, then the directory's fsync failed: the new
			# file is there whole, but the command cannot promise it lasts
			_f_late=$((_f_late + 1))
		elif [ "$_fst" != old ]; then
			_fbad="$_fbad|$_lbl: exit $_frc, target $_fst: $(head -c 200 "$T/.f.err")"
		elif [ -z "${F_ANYMSG:-}" ] && [ "$(grep -vc ': warning: ' "$T/.f.err")" -ne 1 ]; then
			_fbad="$_fbad|$_lbl: exit $_frc without a one-line message: $(head -c 300 "$T/.f.err")"
		else
			_f_fail=$((_f_fail + 1))
		fi
	fi
}

fault_suite() {
	_fname=$1 _fdir=$2; shift 2
	_fbad= _f_ok=0 _f_fail=0 _f_late=0 _fk_old=0 _fk_new=0 _fk_part=0 _fk_tmp=0 _fenv=
	rm -f "$T/.f.log"
	f_prep
	env LD_PRELOAD="$FI" FAULT_LOG="$T/.f.log" "$@" >"$T/.f.out" 2>"$T/.f.err" </dev/null
	_frc=$?
	# every process under the shim counts its own calls (a command that runs
	# others, like kernel-install, logs one line each): N goes to the largest
	_fcalls=$(awk '$1 ~ /^[0-9]+$/ && $1 > m { m = $1 } END { print m + 0 }' "$T/.f.log" 2>/dev/null || echo 0)
	_fbytes=$(awk '$2 ~ /^[0-9]+$/ && $2 > m { m = $2 } END { print m + 0 }' "$T/.f.log" 2>/dev/null || echo 0)
	is "$_frc:$(f_state)" "0:new" "$_fname: the command succeeds under the shim (stderr: $(head -c 200 "$T/.f.err"))"
	_n=1
	while [ "$_n" -le "$_fcalls" ]; do
		case $((_n % 3)) in 0) _e=ENOSPC ;; 1) _e=EIO ;; 2) _e=EROFS ;; esac
		_fault_one "call $_n $_e" FAULT_N=$_n FAULT_ERRNO=$_e -- "$@"
		_n=$((_n + 1))
	done
	_fo=$_f_ok _ff=$_f_fail _fl=$_f_late
	_f_ok=0 _f_fail=0
	awk -v n="$FAULT_KILLS" -v c="$_fcalls" -v b="$_fbytes" -v s="$FAULT_SEED" 'BEGIN {
		srand(s)
		for (i = 0; i < n; i++)
			if (i % 2 == 0 && b > 0) print "FAULT_KILL_BYTES=" int(rand() * b) + 1
			else print "FAULT_KILL_AT=" int(rand() * (c > 0 ? c : 1)) + 1
	}' >"$T/.f.kills"
	while read -r _k; do
		_fault_one "$_k" "$_k" -- "$@"
	done <"$T/.f.kills"
	_fsum="$_fname: $_fcalls calls ($_fbytes bytes): faults $_ff failed cleanly, $_fl failed after the new file was in place, $_fo succeeded; $FAULT_KILLS kill runs: $((_fk_old + _fk_new + _fk_part)) killed ($_fk_old old, $_fk_new new${F_KILL_OK:+, $_fk_part $F_KILL_OK}), $_f_ok ran to the end; $_fk_tmp killed between link and rename left a temp name"
	[ -n "${FAULT_REPORT:-}" ] && echo "$_fsum" >>"$FAULT_REPORT"
	if [ -z "$_fbad" ]; then
		_tap_result 0 "$_fsum"
	else
		_tap_result 1 "$_fname: a fault left a bad target (seed $FAULT_SEED)"
		printf '%s\n' "$_fbad" | tr '|' '\n' | sed '/^$/d' | head -n 15 | diag "$(cat)"
	fi
}
