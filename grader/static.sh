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

if [[ -f $KCL_CHECKPATCH ]]; then
	for file in "${sources[@]}"; do
		(cd "$work/src" && timeout 60 perl "$KCL_CHECKPATCH" --no-tree --file \
			--terse --show-types --no-summary "${file##*/}" 2>&1) || true
	done | grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' | head -n 200 \
		>"$work/checkpatch.log" || true
fi

# Kept only when complete: without checkpatch.pl the report is partial.
if [[ -f $KCL_CHECKPATCH ]]; then
	kcl_cache_store "$key" "$work/checkpatch.log"
fi
