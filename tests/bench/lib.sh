# Shared by the benchmarks (make bench), sourced: the machine header and the
# records of build/bench.json. A figure means little without the machine it
# was measured on, and a run is only comparable with a later one when both
# are kept, figure by figure.

# bench_header: what `make bench` prints first, one line each.
bench_header() {
	_model=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | sed -n 1p)
	[ -n "$_model" ] || _model=$(uname -m)
	echo "bench: CPU $_model"
	echo "bench: $(getconf _NPROCESSORS_ONLN) cores online, SHA extensions $(bench_sha)"
	echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

# bench_sha: "yes (sha_ni)" where the CPU hashes SHA-256 in hardware (x86
# sha_ni, arm64 sha2), "no" otherwise: the floors of the hashing commands
# differ by 3-4x between the two kinds of machine.
bench_sha() {
	if grep -qw sha_ni /proc/cpuinfo; then
		echo "yes (sha_ni)"
	elif grep -q '^Features.*\bsha2\b' /proc/cpuinfo; then
		echo "yes (sha2)"
	else
		echo no
	fi
}

# A CPU without SHA extensions, emulated on one that has them: OpenSSL's
# capability mask (OPENSSL_ia32cap(3)) with the SHA bit (CPUID leaf 7 EBX
# bit 29) cleared. OpenSSL then hashes as on such a CPU (0.5 instead of
# 1.5 GB/s here), and so does everything built on it: veritysetup,
# and igos (lib/sha256x2.c reads the same mask). Benchmarks that hash run a
# second pass with it; its figures are named "..., no SHA (emulated)".
IGOS_BENCH_NOSHA=":~0x20000000"

# bench_nosha_possible: true where that pass means something (x86 with SHA
# extensions); bench_nosha_why: why not, otherwise.
bench_nosha_possible() {
	grep -qw sha_ni /proc/cpuinfo
}
bench_nosha_why() {
	case $(uname -m) in
	x86_64 | i?86) echo "this CPU has no SHA extensions: pass 1 is already that kind" ;;
	*) echo "OPENSSL_ia32cap only masks x86 CPU features" ;;
	esac
}

# bench_passes: which pass is which, for the header.
bench_passes() {
	if bench_nosha_possible; then
		echo "bench: pass 1 = this CPU as it is; pass 2 (benchmarks that hash and run it: igos-verity) = a CPU without SHA" \
			"extensions, emulated with OPENSSL_ia32cap=$IGOS_BENCH_NOSHA, figures named" \
			"\"..., no SHA (emulated)\""
	else
		echo "bench: one pass, this CPU as it is (no second pass: $(bench_nosha_why))"
	fi
}

# bench_record BENCH NAME VALUE UNIT PEER-NAME PEER-VALUE TARGET: one figure
# for build/bench.json, appended as a JSON line to $IGOS_BENCH_OUT (set by
# make bench; unset, nothing is kept). PEER-NAME is what VALUE is held
# against ("" when nothing), the ratio is VALUE / PEER-VALUE, TARGET the
# bound on that ratio the issues set ("<= 1.25"; "" when none).
bench_record() {
	[ -n "${IGOS_BENCH_OUT:-}" ] || return 0
	awk -v b="$1" -v n="$2" -v v="$3" -v u="$4" -v pn="$5" -v pv="$6" -v t="$7" '
	function s(x) { gsub(/\\/, "\\\\", x); gsub(/"/, "\\\"", x); return "\"" x "\"" }
	function num(x) { return x == "" ? "null" : sprintf("%.6g", x) }
	BEGIN {
		r = (pn != "" && pv + 0 > 0) ? sprintf("%.4f", v / pv) : "null"
		printf "{\"bench\": %s, \"name\": %s, \"value\": %s, \"unit\": %s, \"peer\": %s, " \
			"\"peer_value\": %s, \"ratio\": %s, \"target\": %s}\n", s(b), s(n), num(v),
			s(u), pn == "" ? "null" : s(pn), pn == "" ? "null" : num(pv), r,
			t == "" ? "null" : s(t)
	}' >>"$IGOS_BENCH_OUT"
}

# bench_json LINES: build/bench.json from the records bench_record appended
# to LINES, with the machine and the run they belong to.
bench_json() {
	_model=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | sed -n 1p)
	_rev=$(git -C "${IGOS_SRC:-.}" rev-parse --short HEAD 2>/dev/null || echo unknown)
	awk -v m="${_model:-$(uname -m)}" -v c="$(getconf _NPROCESSORS_ONLN)" \
		-v sha="$(bench_sha)" -v d="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		-v l0="$IGOS_BENCH_LOAD0" -v l1="$(cut -d' ' -f1-3 /proc/loadavg)" -v rev="$_rev" '
	function s(x) { gsub(/\\/, "\\\\", x); gsub(/"/, "\\\"", x); return "\"" x "\"" }
	function load(x,  a) { split(x, a, " "); return "[" a[1] ", " a[2] ", " a[3] "]" }
	BEGIN {
		printf "{\n  \"cpu\": {\"model\": %s, \"cores\": %d, \"sha_extensions\": %s},\n",
			s(m), c, sha == "no" ? "false" : "true"
		printf "  \"date\": %s,\n  \"commit\": %s,\n", s(d), s(rev)
		printf "  \"load_before\": %s,\n  \"load_after\": %s,\n", load(l0), load(l1)
		printf "  \"figures\": ["
	}
	{ printf "%s\n    %s", (NR > 1 ? "," : ""), $0 }
	END { printf "\n  ]\n}\n" }' "$1"
}

# bench_record_tsv BENCH FILE: bench_record for each line of FILE, its fields
# (NAME VALUE UNIT PEER-NAME PEER-VALUE TARGET) separated by tabs; for the
# benchmarks that compute their figures in python.
bench_record_tsv() {
	[ -f "$2" ] || return 0
	while IFS='	' read -r _n _v _u _pn _pv _t; do
		bench_record "$1" "$_n" "$_v" "$_u" "$_pn" "$_pv" "$_t"
	done <"$2"
}
