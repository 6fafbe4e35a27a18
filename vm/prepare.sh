#!/usr/bin/env bash
# `make vm`: everything the lab VM of one kernel series needs, idempotently.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/common.sh"
kcl_require_host
"$KCL_ROOT/vm/kernel.sh"
"$KCL_ROOT/vm/initramfs.sh"
# advisory only: grading goes on without it
"$KCL_ROOT/vm/checkpatch.sh" || kcl_warn "no checkpatch.pl: the style report is left out"
touch "$KCL_VM_DIR/ready"
# the VM every lab starts from (grader/qemu.sh)
"$KCL_ROOT/grader/qemu.sh" --mode save
kcl_load_vm
kcl_step "VM ready: kernel $KCL_RELEASE"
