#!/usr/bin/env bash
# `make boot LAB=NN [SRC=...]`: an interactive shell in the lab VM, with the
# lab's modules in /lab/modules, its programs and helpers in /lab/bin and its
# tests in /lab/tests (`run-tests` runs them).
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

lab=${LAB:-all}
[[ $lab != all && $lab != *" "* ]] || kcl_die "make boot needs one lab, e.g.  make boot LAB=01"
id=$(kcl_lab_ids "$lab")
lab_dir=$KCL_ROOT/labs/$id
src=${SRC:-skeletons}
src_dir=$(kcl_src_dir "$src")

"$KCL_ROOT/vm/prepare.sh"
kcl_load_vm
work=$KCL_BUILD/boot/$id
kcl_step "building $id from ${src_dir#"$KCL_ROOT"/}"
if ! "$KCL_ROOT/grader/build.sh" "$lab_dir" "$src_dir/$id" "$work"; then
	cat "$work/build.log" >&2
	kcl_die "$id does not build; fix the errors above first"
fi
grep ': warning:' "$work/build.log" >&2 || true
echo KCL_MODE=shell >"$work/run.env"
kcl_step "starting the lab VM ($KCL_ACCEL); quit with poweroff or Ctrl-a x"
exec "$KCL_ROOT/grader/qemu.sh" --mode shell --run-env "$work/run.env" \
	--lab-cpio "$work/lab.cpio"
