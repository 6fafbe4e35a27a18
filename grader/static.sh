#!/usr/bin/env bash
# Advisory style check of one built lab (no points unless a lab says so):
# the kernel's checkpatch.pl on every file the student wrote. Run by
# grader/grade while the lab's VM runs. (The other static check, sparse on
# the modules, runs in the module build: grader/build.sh.)
#
#   grader/static.sh LAB_DIR WORK_DIR
#
# Writes WORK_DIR/checkpatch.log.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

lab_dir=$1 work=$2
lab_id=$(basename "$lab_dir")
shopt -s nullglob
lab_headers=() sources=() name=""
[[ -d $lab_dir/include ]] && lab_headers=("$lab_dir"/include/*.h)
# the student's files: src/ also holds what Kbuild made (a .mod.c too)
while IFS= read -r name; do
	[[ -f $work/src/$name ]] && sources+=("$work/src/$name")
done < <(kcl_lab_source_names "$lab_id")
# The same sources give the same reports: take them from the cache.
key=$(kcl_inputs_hash "checkpatch $lab_id" "$0" "${sources[@]}" "${lab_headers[@]}")
cached=$KCL_CACHE_DIR/$key
if [[ -d $cached ]]; then
	cp "$cached/checkpatch.log" "$work/"
	exit 0
fi
: >"$work/checkpatch.log"

# Rules checkpatch.pl has for kernel code only, not for the lab's user
# programs: the kernel's ARRAY_SIZE, types and string helpers, __func__ in
# messages, ENOSYS kept for syscall numbers, no typedefs or externs.
USER_SPACE_IGNORES=ARRAY_SIZE,AVOID_EXTERNS,EMBEDDED_FUNCTION_NAME,ENOSYS
USER_SPACE_IGNORES+=,NEW_TYPEDEFS,PREFER_KERNEL_TYPES,PREFER_PRINTF
USER_SPACE_IGNORES+=,PREFER_SCANF,SSCANF_TO_KSTRTO,STRCPY,STRLCPY,STRNCPY
# The labs build for two kernel series, so a version check is part of a
# lab (lab 03's README asks for one): LINUX_VERSION_CODE, and the constant
# on the left that "LINUX_VERSION_CODE >= KERNEL_VERSION(...)" is to
# checkpatch.pl, are not findings.
# shellcheck source=labs/01-hello/lab.conf
LAB_PROGRAMS="" && . "$lab_dir/lab.conf"

# checkpatch FILE: its findings, one a line ("FILE:LINE: TYPE:...")
checkpatch() {
	local name=${1##*/} ignores=LINUX_VERSION_CODE
	[[ " $LAB_PROGRAMS " == *" ${name%.c} "* ]] && ignores+=,$USER_SPACE_IGNORES
	(cd "$work/src" && timeout 60 perl "$KCL_CHECKPATCH" --no-tree --file \
		--terse --show-types --no-summary --ignore "$ignores" "$name" 2>&1) |
		{ grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' || true; } |
		while IFS= read -r finding; do
			if [[ $finding == *:CONSTANT_COMPARISON:* ]]; then
				line=${finding#*:}
				sed -n "${line%%:*}p" "$1" | grep -q LINUX_VERSION_CODE && continue
			fi
			printf '%s\n' "$finding"
		done
	return 0
}

if [[ -f $KCL_CHECKPATCH ]]; then
	for file in "${sources[@]}"; do
		checkpatch "$file"
	done | head -n 200 >"$work/checkpatch.log"
fi

# Kept only when complete: without checkpatch.pl the report is partial.
if [[ -f $KCL_CHECKPATCH ]]; then
	kcl_cache_store "$key" "$work/checkpatch.log"
fi
