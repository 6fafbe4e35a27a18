#!/usr/bin/env bash
# The kernel's checkpatch.pl, for the grader's advisory style report. It
# comes from Debian's linux-source package: only the script and the two data
# files it reads are kept (in the tools folder, shared by every series).
# Style is the same on 6.1 and 6.12, so the newest source serves both.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/common.sh"

[[ -f $KCL_CHECKPATCH ]] && exit 0
package=linux-source-6.12
kcl_step "fetching the kernel's checkpatch.pl (from $package)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "$package") >&2 ||
	kcl_die "apt-get could not download $package (apt-get update first?)"
# The source is one tar.xz inside the package: the whole of it is read, only
# three files are written.
mkdir "$tmp/checkpatch"
dpkg-deb --fsys-tarfile "$tmp"/"$package"_*.deb |
	tar -xO --wildcards './usr/src/linux-source-*.tar.xz' | xz -d |
	tar -x -C "$tmp/checkpatch" --wildcards --strip-components=2 \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
# one rename, so that a grader never sees half of it
mkdir -p "$KCL_TOOLS_DIR"
mv -T "$tmp/checkpatch" "$(dirname "$KCL_CHECKPATCH")" 2>/dev/null ||
	[[ -f $KCL_CHECKPATCH ]] || kcl_die "could not install checkpatch.pl"
