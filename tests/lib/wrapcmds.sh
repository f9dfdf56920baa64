# wrap_cmds DIR KIND LOGDIR: put in DIR one shim per igos command of
# $IGOS_BUILD/bin that runs the real binary under
#   strace    strace -f, socket and connect calls logged to LOGDIR
#   valgrind  valgrind memcheck, full leak check, errors logged to LOGDIR and
#             exit status 99 on any error or leak
# Put DIR first on PATH and run test scripts: they call the commands by name.
# The real command is found on PATH by its bare name, so that argv[0] (which
# getopt's messages print) stays what the tests expect.
wrap_cmds() {
	mkdir -p "$1" "$3"
	for _b in "$IGOS_BUILD"/bin/igos-*; do
		_n=${_b##*/}
		case $2 in
		strace)
			printf '#!/bin/sh\nPATH="%s:$PATH" exec strace -f -qq -e trace=socket,connect,socketpair -o "%s/%s.$$" %s "$@"\n' \
				"$IGOS_BUILD/bin" "$3" "$_n" "$_n" >"$1/$_n" ;;
		valgrind)
			printf '#!/bin/sh\nPATH="%s:$PATH" exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --track-fds=no --log-file="%s/%s.$$.%%p" %s "$@"\n' \
				"$IGOS_BUILD/bin" "$3" "$_n" "$_n" >"$1/$_n" ;;
		esac
		chmod +x "$1/$_n"
	done
}

# run_scripts DIR SCRIPT...: run TAP scripts with DIR first on PATH; prints
# "name: ok" or "name: FAILED (n)" lines; returns the number that failed.
run_scripts() {
	_wd=$1; shift
	_rf=0
	for _s in "$@"; do
		if PATH="$_wd:$PATH" CI="${CI:-}" sh "$_s" >"$T/${_s##*/}.tap" 2>&1; then
			echo "${_s##*/}: ok"
		else
			echo "${_s##*/}: FAILED ($(grep -c '^not ok' "$T/${_s##*/}.tap"))"
			_rf=$((_rf + 1))
		fi
	done
	return $_rf
}
