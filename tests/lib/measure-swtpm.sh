# A fresh swtpm on 127.0.0.1 for the igos-measure tests. Source after tap.sh:
#   . "$TESTLIB/measure-swtpm.sh"; swtpm_start
# swtpm_start keep: restart it with its state kept (e.g. after tpm2_pcrallocate).
# Sets SWTPM_PORT and SWTPM_TCTI (swtpm:host=127.0.0.1,port=N) and stops the
# swtpm when the test exits.
SWTPM_PID=""
_swtpm_stop() {
	if [ -n "$SWTPM_PID" ] && kill "$SWTPM_PID" 2>/dev/null; then
		# it writes its state on the way out
		_w=0; while kill -0 "$SWTPM_PID" 2>/dev/null && [ $_w -lt 50 ]; do
			sleep 0.1; _w=$((_w + 1)); done
	fi
	SWTPM_PID=""
}
trap '_swtpm_stop; _tap_cleanup' EXIT

swtpm_start() { # [keep]: keep the TPM's state (a restart), else a fresh TPM
	_swtpm_stop
	if [ "${1:-}" != keep ]; then
		rm -rf "$T/.swtpm"; mkdir -p "$T/.swtpm"
	fi
	_i=0
	while [ $_i -lt 30 ]; do
		# an even port in 20000..59998, its neighbour for the control channel
		SWTPM_PORT=$(( 20000 + ( ($$ * 7 + _i * 7919 + $(date +%N | sed 's/^0*//;s/^$/0/') ) % 20000 ) * 2 ))
		if swtpm socket --tpm2 --flags startup-clear,not-need-init \
			--tpmstate dir="$T/.swtpm" \
			--server type=tcp,port=$SWTPM_PORT,bindaddr=127.0.0.1 \
			--ctrl type=tcp,port=$((SWTPM_PORT + 1)),bindaddr=127.0.0.1 \
			--pid file="$T/.swtpm/pid" --daemon 2>"$T/.swtpm/err"; then
			SWTPM_PID=$(cat "$T/.swtpm/pid")
			SWTPM_TCTI="swtpm:host=127.0.0.1,port=$SWTPM_PORT"
			return 0
		fi
		_i=$((_i + 1))
	done
	diag "swtpm does not start: $(cat "$T/.swtpm/err")"
	return 1
}
