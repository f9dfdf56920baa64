# Run the examples of one document as written (tests/t/996-whole-docs-examples.t).
#   unshare -m --propagation private bash docs-run.bash DOC SETUP RESULTS
# in a fresh scratch directory (the working directory). /etc, /var, /boot and
# /usr/local are overlays whose writes land in that directory, /sys/firmware a
# scratch efivarfs: nothing of the machine is written. Results go to RESULTS
# as "STATUS<TAB>DESCRIPTION" lines (STATUS 0 pass, 1 fail, "#" a comment).
# The setup file, sourced first, makes the inputs the examples need and may
# call:
#   doc_not_run GLOB REASON   a command matching GLOB is not run, for REASON
#   doc_tty GLOB ANSWER...    a command matching GLOB runs on a terminal and
#                             each ANSWER (a word) is typed at a prompt of it
#                             (a password, a PIN)
set -u
DOC=$1 SETUP=$2 RESULTS=$3
NAME=${DOC##*/}
W=$PWD
res() { printf '%s\t%s\n' "$1" "$2" >>"$RESULTS"; }
diagf() { sed 's/^/#\t/' "$1" | tail -n 15 >>"$RESULTS"; }

# the sandbox: overlays over the places examples write
mkdir -p "$W/.sandbox"
mount -t tmpfs tmpfs "$W/.sandbox" || { res 1 "$NAME: cannot make the sandbox"; exit 0; }
for d in etc var boot usr/local; do
	u=$W/.sandbox/${d%/*}
	mkdir -p "$u.up" "$u.wk"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$u.up,workdir=$u.wk" \
		"/$d" || { res 1 "$NAME: cannot overlay /$d"; exit 0; }
done
mount -t tmpfs tmpfs /sys/firmware && mkdir -p /sys/firmware/efi/efivars ||
	{ res 1 "$NAME: cannot make a scratch /sys/firmware"; exit 0; }
EFIVARS=/sys/firmware/efi/efivars

# what setup files may use from the test library (tests/lib/softhsm.sh ...)
T=$W TESTLIB=$IGOS_SRC/tests/lib
need() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || [ -x "$_c" ] || skip_all "$_c not installed (make deps)"
	done
}
skip_all() { res 1 "$NAME: setup cannot run: $1"; exit 0; }
. "$TESTLIB/docs-setup.sh"

NR_PAT=() NR_WHY=() NR_USED=() TTY_PAT=() TTY_IN=()
doc_not_run() { NR_PAT+=("$1"); NR_WHY+=("$2"); NR_USED+=(0); }
doc_tty() { TTY_PAT+=("$1"); shift; TTY_IN+=("$*"); }

mkdir "$W/.cmds"
if ! python3 "$IGOS_SRC/tests/lib/docs-extract.py" "$DOC" "$W/.cmds" >"$W/.index" 2>"$W/.err"; then
	res 1 "$NAME: its examples can be read"; diagf "$W/.err"; exit 0
fi
n=$(wc -l <"$W/.index")
[ "$n" -gt 0 ]; res $? "$NAME: $n example commands found"

set -a # what a command assigns, the next sees, even through a terminal
# shellcheck disable=SC1090
. "$SETUP" >"$W/.err" 2>&1
st=$?
res $st "$NAME: setup ($SETUP)"
[ $st = 0 ] || { diagf "$W/.err"; exit 0; }
cd "$W" || exit 0

while read -r k line; do
	c=$(cat "$W/.cmds/$k")
	first=${c%%$'\n'*}
	skip=''
	for i in "${!NR_PAT[@]}"; do
		# shellcheck disable=SC2053
		if [[ $c == ${NR_PAT[$i]} ]]; then
			skip=${NR_WHY[$i]}; NR_USED[i]=1; break
		fi
	done
	if [ -n "$skip" ]; then
		res '#' "not run: $NAME:$line: $first: $skip"
		continue
	fi
	tty=''
	for i in "${!TTY_PAT[@]}"; do
		# shellcheck disable=SC2053
		[[ $c == ${TTY_PAT[$i]} ]] && { tty=${TTY_IN[$i]}; break; }
	done
	if [ -n "$tty" ]; then
		# a terminal of its own, its prompts answered (tests/lib/docs-tty.py)
		printf '%s\n' "$c" >"$W/.tty.sh"
		# shellcheck disable=SC2086
		python3 "$IGOS_SRC/tests/lib/docs-tty.py" "$W/.tty.sh" $tty >"$W/.out" 2>"$W/.err"
		st=$?
	else
		eval "$c" </dev/null >"$W/.out" 2>"$W/.err"
		st=$?
	fi
	res $st "$NAME:$line: $first"
	[ $st = 0 ] || { res '#' "exit status $st"; diagf "$W/.err"; diagf "$W/.out"; }
done <"$W/.index"
for i in "${!NR_PAT[@]}"; do
	[ "${NR_USED[$i]}" = 1 ]
	res $? "$NAME: not-run entry '${NR_PAT[$i]}' names a command of the page"
done
