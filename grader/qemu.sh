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
# rate-limited. softlockup_panic with watchdog_thresh=5: a module spinning with
# preemption off ends the VM after 10 s instead of at the time limit.
cmdline="console=ttyS0 quiet panic=-1 printk.devkmsg=on cryptomgr.notests"
cmdline+=" softlockup_panic=1 watchdog_thresh=5 kcl.mode=$mode"

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
# The console goes through a pipe that keeps its first and its last
# CONSOLE_KEEP_BYTES: a module flooding the kernel log cannot fill the disk,
# and the end of the console (a panic, the last test) is still there.
keep=${CONSOLE_KEEP_BYTES:-4194304}
console_end=$(mktemp)
set +e
timeout --kill-after=5 "$limit" qemu-system-x86_64 "${args[@]}" \
	-serial stdio -serial "file:$results" </dev/null |
	{
		head -c "$keep" >"$console"
		tail -c "$keep" >"$console_end"
	}
status=${PIPESTATUS[0]}
set -e
if [[ -s $console_end ]]; then
	printf '\n[... console output past its first %s bytes: the last %s follow ...]\n' \
		"$keep" "$keep" >>"$console"
	cat "$console_end" >>"$console"
fi
rm -f "$console_end"
# -action panic=exit-failure exits 1, as do QEMU's own errors: the console
# tells them apart.
if ((status == 1)) && grep -q 'Kernel panic' "$console" 2>/dev/null; then
	status=3
elif ((status == 137)); then
	status=124
fi
exit "$status"
