#!/usr/bin/env bash
# Build one lab of a submission with the grader's own Kbuild and flags, and
# pack what the VM needs into a cpio archive.
#
#   grader/build.sh LAB_DIR SUBMISSION_LAB_DIR WORK_DIR
#
# Only the submission's *.c and *.h files are taken: a Makefile, Kbuild or
# script in the submission never runs. Writes WORK_DIR/build.log (compiler
# output) and, on success, WORK_DIR/lab.cpio. Exit 1 on a build error.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

lab_dir=$1 submission=$2 work=$3
kcl_load_vm
# shellcheck source=labs/01-hello/lab.conf
. "$lab_dir/lab.conf"
lab_id=$(basename "$lab_dir")
BUILD_TIMEOUT=${BUILD_TIMEOUT:-120}
USER_CFLAGS=(-static -O2 -Wall -Wextra)

rm -rf "$work"
mkdir -p "$work/src" "$work/lab/modules" "$work/lab/bin" "$work/lab/tests"
log=$work/build.log
: >"$log"

fail() {
	printf '%s\n' "$*" >>"$log"
	exit 1
}

[[ -d $submission ]] || fail "no folder $lab_id in the submission ($submission)"
shopt -s nullglob
for file in "$submission"/*.c "$submission"/*.h; do
	if [[ -L $file ]]; then
		printf 'ignored %s: a symbolic link\n' "$(basename "$file")" >>"$log"
		continue
	fi
	cp "$file" "$work/src/"
done

includes=()
[[ -d $lab_dir/include ]] && includes=(-I"$lab_dir/include")

for module in $LAB_MODULES; do
	[[ -f $work/src/$module.c ]] || fail "missing $module.c (the module $module)"
	printf 'obj-m += %s.o\n' "$module" >>"$work/src/Kbuild"
done
if [[ -n $LAB_MODULES ]]; then
	# Messages and WARN splats name hello.c, not the grader's scratch path.
	printf 'ccflags-y += -ffile-prefix-map=%s/= %s\n' "$work/src" "${includes[*]}" \
		>>"$work/src/Kbuild"
	if ! timeout "$BUILD_TIMEOUT" make -s -C "$KCL_KDIR" M="$work/src" modules \
		>>"$log" 2>&1; then
		fail "module build failed (or took over ${BUILD_TIMEOUT}s)"
	fi
	for module in $LAB_MODULES; do
		# debug info is most of a .ko; the VM boots faster without it
		strip --strip-debug -o "$work/lab/modules/$module.ko" "$work/src/$module.ko"
	done
fi

# user programs of the submission, then the lab's own test helpers
build_program() {
	local source=$1 name
	name=$(basename "$source" .c)
	timeout "$BUILD_TIMEOUT" gcc "${USER_CFLAGS[@]}" "${includes[@]}" \
		-o "$work/lab/bin/$name" "$source" >>"$log" 2>&1 ||
		fail "building $name failed"
}
for program in $LAB_PROGRAMS; do
	[[ -f $work/src/$program.c ]] || fail "missing $program.c (the program $program)"
	build_program "$work/src/$program.c"
done
for helper in "$lab_dir"/tests/helpers/*.c; do
	build_program "$helper"
done

cp "$lab_dir"/tests/*.bats "$work/lab/tests/"
cat >"$work/lab/lab.env" <<EOF
LAB_ID=$lab_id
LAB_MODULES="$LAB_MODULES"
BATS_TEST_TIMEOUT=$((LAB_TEST_TIMEOUT * KCL_TIME_SCALE))
EOF
(cd "$work" && find lab | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$work/lab.cpio"
