#!/usr/bin/env bash
# `make vm`: everything the lab VM of one kernel series needs, idempotently.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/common.sh"

# Every grade starts here. When nothing the VM is made from has changed
# since it was last prepared (no file of vm/ or grader/guest/, nor
# grader/qemu.sh, newer than the stamp; the same QEMU, saved VM and
# installed packages), the checks below (0.5 s) are skipped.
stamp=$KCL_VM_DIR/prepared-$KCL_ACCEL
prepared_state() {
	stat -L -c '%n %s %Y' "$(command -v qemu-system-x86_64 || echo qemu-system-x86_64)" \
		/var/lib/dpkg/status "$KCL_VM_DIR/ready" "$KCL_VM_DIR/base.cpio" \
		"$KCL_VM_DIR/saved-$KCL_ACCEL.vmstate" 2>/dev/null || true
}
if ! [[ -f $stamp && $(<"$stamp") == "$(prepared_state)" &&
	-z $(find "$KCL_ROOT/vm" "$KCL_ROOT/grader/guest" "$KCL_ROOT/grader/qemu.sh" \
		-newer "$stamp" -print -quit) ]]; then
	kcl_require_host
	"$KCL_ROOT/vm/kernel.sh"
	"$KCL_ROOT/vm/initramfs.sh"
	# advisory only: grading goes on without it
	"$KCL_ROOT/vm/checkpatch.sh" || kcl_warn "no checkpatch.pl: the style report is left out"
	touch "$KCL_VM_DIR/ready"
	# the VM every lab starts from (grader/qemu.sh)
	"$KCL_ROOT/grader/qemu.sh" --mode save
	prepared_state >"$stamp"
fi
kcl_load_vm
kcl_step "VM ready: kernel $KCL_RELEASE"
