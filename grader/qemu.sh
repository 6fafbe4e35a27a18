#!/usr/bin/env bash
# Run the lab VM. Used by the grader (mode grade), `make boot` (mode shell),
# `make vm` (mode save) and `make bench` (mode bare).
#
#   grader/qemu.sh [--mode grade|shell] --run-env FILE --lab-cpio FILE
#                  [--console LOG] [--results LOG] [--timeout SECONDS]
#   grader/qemu.sh --mode save|bare
#
# Each series and accelerator has one saved VM: booted once from the base
# initramfs to the point where its init waits for a lab, and saved there
# (mode save, done when missing or out of date: `make vm` and every other
# mode do it first). A lab's VM starts from that state in a fraction of a
# boot, so no lab code has ever run in it, and gets on a virtio-serial port
# first --run-env (its settings, /lab/run.env), then --lab-cpio (the lab's
# files) once FILE exists: the lab may still be building. FILE is written
# in one rename; FILE.failed instead (the build failed) ends the VM at once.
# The time limit counts from the lab's files.
# Mode bare boots the same kernel and initramfs from scratch and powers off
# as soon as the system is up: the reference `make bench` measures against.
#
# Exit status: 0 the guest powered off; 3 the guest kernel panicked (pvpanic);
# 124 the host-side time limit ended it; anything else: QEMU failed.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

mode=grade console=/dev/null results=/dev/null limit=600 lab_cpio="" run_env=""
while (($#)); do
	case $1 in
	--lab-cpio) lab_cpio=$2 ;;
	--run-env) run_env=$2 ;;
	--mode) mode=$2 ;;
	--console) console=$2 ;;
	--results) results=$2 ;;
	--timeout) limit=$2 ;;
	*) kcl_die "qemu.sh: unknown option $1" ;;
	esac
	shift 2
done
case $mode in
grade | shell)
	[[ -n $lab_cpio && -f $run_env ]] ||
		kcl_die "qemu.sh: mode $mode needs --run-env FILE and --lab-cpio FILE"
	;;
save | bare) ;;
*) kcl_die "qemu.sh: unknown mode $mode" ;;
esac
kcl_load_vm

# quiet keeps the boot fast on a serial console; the guest init raises the
# console log level before any lab code runs, so every splat is on the
# console. printk.devkmsg=on: the tests' markers in /dev/kmsg are never
# rate-limited. softlockup_panic with watchdog_thresh=5: a module spinning with
# preemption off ends the VM after 10 s instead of at the time limit.
# rcupdate.rcu_expedited=1: rmmod and a failed insmod each wait for an RCU
# grace period, 20-80 ms under TCG; expedited, about 2 ms. Lab 01's test
# bodies take 1.4 s instead of 2.5 s; the bare boot is unchanged.
# init_on_alloc=0 slub_debug=FZPU: memory nobody wrote is not zero (Debian
# zeroes every allocation) but a poison pattern, and a write past an
# allocation's end hits a checked red zone; all labs grade as fast with them.
# Not on the debug kernel: KASAN checks every access against red zones of its
# own and records where each object was allocated and freed, and slub_debug
# there made each allocation and free trip KASAN (its checks read the red
# zones), measured: 300 fork+exec cycles 42 s with it, 29 s without.
cmdline="console=ttyS0 quiet panic=-1 printk.devkmsg=on cryptomgr.notests"
cmdline+=" rcupdate.rcu_expedited=1 softlockup_panic=1 watchdog_thresh=5"
cmdline+=" init_on_alloc=0"
[[ $KCL_SERIES == *-debug ]] || cmdline+=" slub_debug=FZPU"
# The debug kernel: kmemleak prints each leak it finds with its backtrace
# (the grader scans once, when the tests are over), and KASAN reports every
# bad access, not only the first.
[[ $KCL_SERIES == *-debug ]] && cmdline+=" kmemleak.verbose=1 kasan_multi_shot"

# machine_for BOOT_MODE: the machine, in the array machine; the saved VM and
# every VM started from it have exactly these devices (BOOT_MODE wait). The
# lab's files come on the virtio-serial port kcl.lab.
machine_for() {
	# shellcheck disable=SC2054 # the commas are QEMU's
	machine=(-nodefaults -no-user-config -nographic -machine pc -m 256
		-smp "$KCL_VM_CPUS"
		-accel "$KCL_ACCEL" -kernel "$KCL_VMLINUZ" -initrd "$KCL_BASE_CPIO"
		-append "$cmdline kcl.mode=$1" -device pvpanic-pci
		-action panic=exit-failure -no-reboot -device virtio-serial-pci
		-device virtserialport,chardev=lab,name=kcl.lab)
	# qboot starts faster and writes nothing to the console; SeaBIOS
	# otherwise.
	[[ -f /usr/share/qemu/qboot.rom ]] && machine+=(-bios qboot.rom)
	[[ $KCL_ACCEL == kvm ]] && machine+=(-cpu host)
	return 0
}
machine_for wait

# The saved VM of this series and accelerator, and what it was made from:
# QEMU's binary, the machine, the kernel and the base initramfs.
saved=$KCL_VM_DIR/saved-$KCL_ACCEL.vmstate
saved_key() {
	{
		printf '%s\n' "${machine[@]}"
		stat -L -c '%n %s %Y' "$(command -v qemu-system-x86_64)" \
			"$KCL_VMLINUZ" "$KCL_BASE_CPIO"
	} | sha256sum | cut -c1-32
}
SAVE_TIMEOUT=$((60 * KCL_TIME_SCALE))

# save_vm: boot the VM until its init waits for a lab (it says so on ttyS1),
# then save its state to $saved with QEMU's migration to a file.
save_vm() {
	local dir status=0 waited=0 qemu reader
	dir=$(mktemp -d "$KCL_VM_DIR/save.XXXXXX")
	mkfifo "$dir/lab.in" "$dir/lab.out" "$dir/monitor.in" "$dir/monitor.out"
	kcl_step "kernel $KCL_SERIES: booting the lab VM once to save its state ($KCL_ACCEL)"
	# shellcheck disable=SC2054
	timeout --kill-after=5 "$SAVE_TIMEOUT" qemu-system-x86_64 "${machine[@]}" \
		-chardev "pipe,id=lab,path=$dir/lab" \
		-chardev "pipe,id=monitor,path=$dir/monitor" \
		-mon chardev=monitor,mode=readline \
		-serial "file:$dir/console.log" -serial "file:$dir/results.log" \
		</dev/null >"$dir/qemu.log" 2>&1 &
	qemu=$!
	cat "$dir/monitor.out" >"$dir/monitor.log" &
	reader=$!
	until grep -qs '^@@kcl waiting' "$dir/results.log"; do
		if ! kill -0 "$qemu" 2>/dev/null || ((waited > SAVE_TIMEOUT * 20)); then
			kill "$qemu" "$reader" 2>/dev/null || true
			wait "$qemu" || true
			cat "$dir/qemu.log" "$dir/console.log" >&2
			rm -rf "$dir"
			kcl_die "the lab VM did not boot (kernel $KCL_RELEASE, $KCL_ACCEL): console above"
		fi
		sleep 0.05
		waited=$((waited + 1))
	done
	# The monitor takes the next command once the migration has ended.
	printf '%s\n' "migrate \"exec:cat > '$dir/vmstate'\"" "info migrate" quit \
		>"$dir/monitor.in"
	wait "$qemu" || status=$?
	# QEMU has ended: the reader reaches the end of the monitor's output
	wait "$reader" || true
	if ((status != 0)) || ! grep -q 'Migration status: completed' "$dir/monitor.log"; then
		cat "$dir/qemu.log" "$dir/monitor.log" >&2
		rm -rf "$dir"
		kcl_die "saving the lab VM's state failed (QEMU status $status)"
	fi
	mv "$dir/vmstate" "$saved"
	saved_key >"$saved.key"
	rm -rf "$dir"
}

# Save the VM when it is missing or out of date; graders running side by
# side wait for the one that saves it.
saved_is_current() { [[ -f $saved && -f $saved.key && $(<"$saved.key") == "$(saved_key)" ]]; }
if ! saved_is_current; then
	exec {lock}>"$KCL_VM_DIR/save.lock"
	flock "$lock"
	saved_is_current || save_vm
	exec {lock}>&-
fi
[[ $mode == save ]] && exit 0

if [[ $mode == bare ]]; then
	machine_for bare
	exec timeout --kill-after=5 "$limit" qemu-system-x86_64 "${machine[@]}" \
		-chardev null,id=lab -serial "file:$console" -serial null </dev/null
fi

# How long a VM waits for its lab's build (grader/build.sh's own limit is
# 120 s): a longer build ends the VM.
LAB_CPIO_WAIT=${LAB_CPIO_WAIT:-150}
channel=$(mktemp -d)
trap 'rm -rf "$channel"' EXIT
mkfifo "$channel/lab.in" "$channel/lab.out" "$channel/tick"

# pause: 20 ms, without starting a process (a read that times out on a pipe
# nobody writes): the waits below poll while the lab builds beside them.
exec {tick}<>"$channel/tick"
pause() { read -rt 0.02 -u "$tick" || true; }

# send_lab: the VM's settings at once, then the lab's files, as their size
# on a line and their bytes, when the build has written them; then end QEMU
# when the time limit has passed (grade).
send_lab() {
	local waited=0 sleeper
	exec {port}>"$channel/lab.in"
	{
		grep -v '^$' "$run_env" || true
		echo
	} >&"$port"
	until [[ -e $lab_cpio || -e $lab_cpio.failed ]] || ((waited >= LAB_CPIO_WAIT * 50)); do
		pause
		waited=$((waited + 1))
	done
	if [[ -e $lab_cpio ]]; then
		{
			stat -c %s "$lab_cpio"
			cat "$lab_cpio"
		} >&"$port"
		[[ $mode == shell ]] && return 0
		sleep "$limit" &
		sleeper=$!
		trap 'kill "$sleeper"; exit 0' TERM
		wait "$sleeper"
		touch "$channel/timed-out"
	fi
	until [[ -s $channel/pid ]]; do
		pause
	done
	kill -TERM "$(<"$channel/pid")" 2>/dev/null
}

# shellcheck disable=SC2054 # the commas are QEMU's
machine+=(-pidfile "$channel/pid" -chardev "pipe,id=lab,path=$channel/lab"
	-incoming "exec:cat '$saved'")
send_lab &
sender=$!

if [[ $mode == shell ]]; then
	status=0
	qemu-system-x86_64 "${machine[@]}" -serial mon:stdio -serial null || status=$?
	kill "$sender" 2>/dev/null || true
	exit "$status"
fi

status=0
# The console goes through a pipe that keeps its first and its last
# CONSOLE_KEEP_BYTES: a module flooding the kernel log cannot fill the disk,
# and the end of the console (a panic, the last test) is still there.
keep=${CONSOLE_KEEP_BYTES:-4194304}
console_end=$(mktemp)
set +e
# the last resort, should send_lab itself fail
timeout --kill-after=5 $((limit + LAB_CPIO_WAIT + 10)) \
	qemu-system-x86_64 "${machine[@]}" \
	-serial stdio -serial "file:$results" </dev/null 2>"$channel/qemu.err" |
	{
		head -c "$keep" >"$console"
		tail -c "$keep" >"$console_end"
	}
status=${PIPESTATUS[0]}
set -e
kill "$sender" 2>/dev/null || true
wait "$sender" || true
[[ -e $channel/timed-out ]] && status=124
if [[ -s $console_end ]]; then
	printf '\n[... console output past its first %s bytes: the last %s follow ...]\n' \
		"$keep" "$keep" >>"$console"
	cat "$console_end" >>"$console"
fi
rm -f "$console_end"
# -action panic=exit-failure exits 1, as do QEMU's own errors. These say why
# on stderr; a panic says nothing there, and its "Kernel panic" line may not
# have reached the console (a busy host, the guest stopped before its UART
# drained).
cat "$channel/qemu.err" >&2
if ((status == 1)) && { grep -q 'Kernel panic' "$console" 2>/dev/null ||
	[[ ! -s $channel/qemu.err ]]; }; then
	status=3
elif ((status == 137)); then
	status=124
fi
exit "$status"
