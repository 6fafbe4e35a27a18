#!/usr/bin/env bash
# Advisory static checks of one built lab (no points unless a lab says so):
# sparse on the modules (address-space mistakes such as dereferencing a
# __user pointer, endianness, locking annotations) and the kernel's
# checkpatch.pl on every file the student wrote. Run by grader/grade while
# the lab's VM runs.
#
#   grader/static.sh LAB_DIR WORK_DIR
#
# Writes WORK_DIR/sparse.log and WORK_DIR/checkpatch.log.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

lab_dir=$1 work=$2
kcl_load_vm
# shellcheck source=labs/01-hello/lab.conf
. "$lab_dir/lab.conf"
lab_id=$(basename "$lab_dir")
shopt -s nullglob
lab_headers=() sources=() name=""
[[ -d $lab_dir/include ]] && lab_headers=("$lab_dir"/include/*.h)
# the student's files: src/ also holds what Kbuild made (a .mod.c too)
while IFS= read -r name; do
	[[ -f $work/src/$name ]] && sources+=("$work/src/$name")
done < <(kcl_lab_source_names "$lab_id")
# The same sources give the same reports: take them from the cache.
key=$(kcl_inputs_hash "static $lab_id|$KCL_RELEASE|$(sparse --version 2>&1)" \
	"$0" "${sources[@]}" "${lab_headers[@]}")
cached=$KCL_CACHE_DIR/$key
if [[ -d $cached ]]; then
	cp "$cached/sparse.log" "$cached/checkpatch.log" "$work/"
	exit 0
fi
: >"$work/sparse.log"
: >"$work/checkpatch.log"

if [[ -n $LAB_MODULES ]] && command -v sparse >/dev/null; then
	# C=2 checks every source again without rebuilding anything
	kcl_kbuild_command "$(kcl_compiler_version)"
	timeout 60 "${KCL_KBUILD[@]}" M="$work/src" C=2 CHECK=sparse modules 2>&1 |
		sed "s|$work/src/||g" | grep -E ': (warning|error): ' | head -n 200 \
		>"$work/sparse.log" || true
fi

if [[ -f $KCL_CHECKPATCH ]]; then
	for file in "${sources[@]}"; do
		(cd "$work/src" && timeout 60 perl "$KCL_CHECKPATCH" --no-tree --file \
			--terse --show-types --no-summary "${file##*/}" 2>&1) || true
	done | grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' | head -n 200 \
		>"$work/checkpatch.log" || true
fi

# Kept only when complete: without checkpatch.pl the report is partial.
if [[ -f $KCL_CHECKPATCH ]]; then
	kcl_cache_store "$key" "$work/sparse.log" "$work/checkpatch.log"
fi
