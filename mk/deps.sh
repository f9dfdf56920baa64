#!/bin/sh
# Install the Debian packages that the build, the tests and the demo need and
# that are missing. Quick when nothing is missing.
set -eu
here=$(dirname "$0")
pkgs=$(cat "$here"/deps-*.txt | sed 's/#.*//' | tr -s ' \t\n' '\n' | sort -u | grep .)
missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in ii*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "make deps: missing packages; run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "make deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have empty package lists: update first when the
# install cannot find everything.
if ! $cmd; then
	apt-get update
	$cmd
fi
