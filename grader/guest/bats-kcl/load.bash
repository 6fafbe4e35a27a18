# shellcheck shell=bash
# Helpers for the labs' bats tests, loaded in each test's setup:
#
#     setup() { bats_load_library kcl; }
#
# Brings bats-support and bats-assert (joined into one file when the VM is
# built; bats-exec-file reads it once and each test, a fork of it, has them
# already: 18 ms a test under TCG), and marks the start of the test
# in the kernel log so the grader can tell which test a kernel message
# belongs to.

# shellcheck source=/dev/null
declare -F assert_success >/dev/null || source /usr/lib/bats/kcl/assert-libs.bash

LAB_DIR=${LAB_DIR:-/lab}
# The debug kernel: the run looks for leaks once, when its tests are over
# (grader/guest/kmemleak-module), not at each rmmod.
export KCL_LEAK_SCAN_LATER=1
# The marker carries the run's token (see guest/init), the taint flags at
# the start of the test, from which the grader derives what each test
# tainted, and the test's pid: every process of the test comes after it, and
# a leak found at the end of the run is charged to the test whose pids hold
# the one that allocated it.
KCL_TEST_MARK="kcl-test $BATS_SUITE_TEST_NUMBER ${KCL_MARK_TOKEN:-manual}"
read -r kcl_tainted </proc/sys/kernel/tainted
# at level 6 (info), under the console's level in make boot
echo "<6>$KCL_TEST_MARK tainted $kcl_tainted pid $BASHPID: $BATS_TEST_DESCRIPTION" >/dev/kmsg
# which test runs now, for the guest's watchdog of stuck tests
echo "$BATS_SUITE_TEST_NUMBER $BASHPID" >/run/kcl/current

# Path of a module built for this lab.
module_file() {
	printf '%s/modules/%s.ko\n' "$LAB_DIR" "$1"
}

# Whether a lab module is loaded: its sysfs folder is there from before its
# init runs until after its exit returns, as its line in /proc/modules is
# (a built-in module may have one too; no lab module is built in). No
# process: a grep of /proc/modules cost one in every teardown.
module_loaded() {
	[[ -d /sys/module/$1 ]]
}

# Remove a module if a test left it loaded (for teardown).
unload_module() {
	if module_loaded "$1"; then
		rmmod "$1"
	fi
}

# The kernel log written since this test started, without timestamps. Its
# first line is the test's own marker, so it is never empty (bats-assert's
# assert_line refuses an empty output).
kernel_log() {
	dmesg | sed -n "/$KCL_TEST_MARK /,\$ { s/^\[[ 0-9.]*\] //; p; }"
}

# Fail unless the kernel log since the test started has a line containing
# the text (a fixed string, not a pattern). To check several lines, `run
# kernel_log` once and use assert_line: each call reads the whole log.
assert_kernel_log() {
	run kernel_log
	assert_line --partial "$1"
}

# Octal permission bits of a file, e.g. 644.
file_mode() {
	stat -c %a "$1"
}

# Taint bits other than O (out-of-tree module, 4096) and E (unsigned module,
# 8192): every lab module sets those two, anything else means trouble.
unexpected_taint() {
	echo $(($(cat /proc/sys/kernel/tainted) & ~(4096 | 8192)))
}

# Skip the test on a kernel without fault injection: the stock kernel's
# grade cannot make an allocation fail, as it cannot see a leak. A test
# skipped for what the kernel lacks earns its points (grader/README.md).
require_fault_injection() {
	# the filter that limits it to a module's allocations is a config of its own
	[[ -e /sys/kernel/debug/failslab/require-start ]] ||
		skip "needs the debug kernel (KERNEL=6.12-debug): this kernel cannot make an allocation fail"
}

# Make the allocations a module's code asks for fail on purpose, one at a
# time, with insmod-failing: only those with a module's frame on the stack
# count (the modules live above the kernel image, which ends at _end), the
# ones that may sleep included, and each failure logs one line.
fail_allocations_in_modules() {
	local failslab=/sys/kernel/debug/failslab kernel_end
	require_fault_injection
	kernel_end=$(awk '$3 == "_end" { print "0x" $1; exit }' /proc/kallsyms)
	echo "$kernel_end" >"$failslab/require-start"
	echo N >"$failslab/ignore-gfp-wait"
	echo 1 >"$failslab/verbose"
}

# run_failing_allocation N COMMAND...: bats's run of COMMAND with the Nth
# allocation a module's code makes for it made to fail (after
# fail_allocations_in_modules): a request a module answers in the caller's
# process, as netlink does. The count is the process's own, and exec keeps
# it: the shell sets it, then becomes COMMAND.
run_failing_allocation() {
	local nth=$1
	shift
	run bash -c 'echo "$1" >/proc/self/fail-nth && shift && exec "$@"' \
		run_failing_allocation "$nth" "$@"
}

# each_failing_allocation_at_load CHECK MODULE_FILE [PARAM=VALUE...]: load
# the module with the first allocation of its code made to fail, then the
# second, and so on, until a load comes through without reaching the one
# made to fail. After each refused load, checks that the module is not
# loaded, then runs CHECK, a function of the test with insmod-failing's
# line in $output ("allocation N failed: init returned ENOMEM") and N in
# $FAILING_ALLOCATION; a module that loaded anyway is unloaded.
each_failing_allocation_at_load() {
	local check=$1 module=$2 name nth
	shift 2
	name=$(basename "$module" .ko)
	fail_allocations_in_modules
	for ((nth = 1; nth <= 200; nth++)); do
		# shellcheck disable=SC2034 # for the test's CHECK
		FAILING_ALLOCATION=$nth
		run insmod-failing "$nth" "$module" "$@"
		# shellcheck disable=SC2154 # bats's run sets it
		case $output in
		*"not reached: the module loaded") break ;;
		*"failed: the module loaded anyway") rmmod "$name" ;;
		*"failed: init returned"*)
			refute module_loaded "$name"
			"$check"
			;;
		*) fail "with no allocation made to fail: $output" ;;
		esac
	done
	assert module_loaded "$name"
	rmmod "$name"
}
