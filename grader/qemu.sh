#!/usr/bin/env bash
# Boot the lab VM once. Used by the grader (mode grade), `make boot` (mode
# shell) and `make bench`.
#
#   grader/qemu.sh --initrd FILE [--mode grade|shell] [--console LOG]
#                  [--results LOG] [--timeout SECONDS]
#
# Exit status: 0 the guest powered off; 3 the guest kernel panicked (pvpanic);
# 124 the host-side time limit ended it; anything else: QEMU failed.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

initrd="" mode=grade console=/dev/null results=/dev/null limit=600
while (($#)); do
	case $1 in
	--initrd) initrd=$2 ;;
	--mode) mode=$2 ;;
	--console) console=$2 ;;
	--results) results=$2 ;;
	--timeout) limit=$2 ;;
	*) kcl_die "qemu.sh: unknown option $1" ;;
	esac
	shift 2
done
[[ -f $initrd ]] || kcl_die "qemu.sh: no initrd given"
kcl_load_vm

# quiet keeps the boot fast on a serial console; the guest init raises the
# console log level before any lab code runs, so every splat is on the
# console. printk.devkmsg=on: the tests' markers in /dev/kmsg are never
# rate-limited. softlockup_panic: a module spinning with preemption off ends
# the VM at once instead of at the time limit.
cmdline="console=ttyS0 quiet panic=-1 printk.devkmsg=on cryptomgr.notests"
cmdline+=" softlockup_panic=1 kcl.mode=$mode"

args=(-nodefaults -no-user-config -nographic -machine pc -m 256
	-accel "$KCL_ACCEL" -kernel "$KCL_VMLINUZ" -initrd "$initrd"
	-append "$cmdline" -device pvpanic-pci -action panic=exit-failure
	-no-reboot)
# qboot starts faster and writes nothing to the console; SeaBIOS otherwise.
[[ -f /usr/share/qemu/qboot.rom ]] && args+=(-bios qboot.rom)
[[ $KCL_ACCEL == kvm ]] && args+=(-cpu host)

if [[ $mode == shell ]]; then
	exec qemu-system-x86_64 "${args[@]}" -serial mon:stdio -serial null
fi

status=0
timeout --kill-after=5 "$limit" qemu-system-x86_64 "${args[@]}" \
	-serial "file:$console" -serial "file:$results" </dev/null || status=$?
# -action panic=exit-failure exits 1, as do QEMU's own errors: the console
# tells them apart.
if ((status == 1)) && grep -q 'Kernel panic' "$console" 2>/dev/null; then
	status=3
elif ((status == 137)); then
	status=124
fi
exit "$status"
