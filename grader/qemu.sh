#!/usr/bin/env bash
# Boot the lab VM once. Used by the grader (mode grade), `make boot` (mode
# shell) and `make bench`.
#
#   grader/qemu.sh --initrd FILE [--mode grade|shell] [--console LOG]
#                  [--results LOG] [--timeout SECONDS] [--lab-cpio FILE]
#
# --lab-cpio FILE: boot now, while the lab is still being built. The guest
# waits for the lab's files on a virtio-serial port; they are sent once FILE
# (a cpio archive, written in one rename) exists, and the time limit counts
# from then. FILE.failed instead (the build failed) ends the VM at once.
#
# Exit status: 0 the guest powered off; 3 the guest kernel panicked (pvpanic);
# 124 the host-side time limit ended it; anything else: QEMU failed.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

initrd="" mode=grade console=/dev/null results=/dev/null limit=600 lab_cpio=""
while (($#)); do
	case $1 in
	--initrd) initrd=$2 ;;
	--lab-cpio) lab_cpio=$2 ;;
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

# How long a VM waits for its lab's build (grader/build.sh's own limit is
# 120 s): a longer build ends the VM.
LAB_CPIO_WAIT=${LAB_CPIO_WAIT:-150}
host_limit=$limit

# send_lab_cpio: wait for the build, send its archive to the guest ("SIZE\n"
# then the bytes), then end QEMU when the time limit has passed.
send_lab_cpio() {
	local waited=0 sleeper
	until [[ -e $lab_cpio || -e $lab_cpio.failed ]] || ((waited >= LAB_CPIO_WAIT * 50)); do
		sleep 0.02
		waited=$((waited + 1))
	done
	until [[ -s $channel/pid ]]; do
		sleep 0.02
	done
	if [[ -e $lab_cpio ]]; then
		{
			stat -c %s "$lab_cpio"
			cat "$lab_cpio"
		} >"$channel/lab.in"
		sleep "$limit" &
		sleeper=$!
		trap 'kill "$sleeper"; exit 0' TERM
		wait "$sleeper"
		touch "$channel/timed-out"
	fi
	kill -TERM "$(<"$channel/pid")" 2>/dev/null
}
if [[ -n $lab_cpio ]]; then
	channel=$(mktemp -d)
	trap 'rm -rf "$channel"' EXIT
	mkfifo "$channel/lab.in" "$channel/lab.out"
	# shellcheck disable=SC2054 # the commas are QEMU's
	args+=(-pidfile "$channel/pid" -device virtio-serial-pci
		-chardev "pipe,id=lab,path=$channel/lab"
		-device virtserialport,chardev=lab,name=kcl.lab)
	# the last resort, should send_lab_cpio itself fail
	host_limit=$((limit + LAB_CPIO_WAIT + 10))
	send_lab_cpio &
	sender=$!
fi

status=0
# The console goes through a pipe that keeps its first and its last
# CONSOLE_KEEP_BYTES: a module flooding the kernel log cannot fill the disk,
# and the end of the console (a panic, the last test) is still there.
keep=${CONSOLE_KEEP_BYTES:-4194304}
console_end=$(mktemp)
set +e
timeout --kill-after=5 "$host_limit" qemu-system-x86_64 "${args[@]}" \
	-serial stdio -serial "file:$results" </dev/null |
	{
		head -c "$keep" >"$console"
		tail -c "$keep" >"$console_end"
	}
status=${PIPESTATUS[0]}
set -e
if [[ -n $lab_cpio ]]; then
	kill "$sender" 2>/dev/null || true
	wait "$sender" || true
	[[ -e $channel/timed-out ]] && status=124
fi
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
