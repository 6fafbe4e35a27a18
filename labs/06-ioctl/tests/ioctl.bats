#!/usr/bin/env bats
# Lab 06 tests. The grader runs them inside the lab VM; in `make boot`, run
# them by hand with `run-tests`. Points are declared above each test.
#
# The driver is tested with ioctest (tests/helpers/ioctest.c), which makes
# exact ioctl(2) calls, good and bad, on one open descriptor and prints one
# line per call; the student's client, ioctl_client, has tests of its own
# (the last two).

# run --separate-stderr and run -N need bats 1.5 or later
bats_require_minimum_version 1.5.0

setup() {
	bats_load_library kcl
	MODULE=$(module_file ioctl_lab)
	DEV=/dev/kcl_ioctl
	SPINNERS=()
}

teardown() {
	local pid
	for pid in "${SPINNERS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	unload_module ioctl_lab
}

# start_spinner CPU: an ioctest adding 1000 over and over, pinned to CPU,
# in the background until stop_spinners; its output in
# $BATS_TEST_TMPDIR/spinner.N.
start_spinner() {
	taskset -c "$1" ioctest spin:1000 \
		>"$BATS_TEST_TMPDIR/spinner.${#SPINNERS[@]}" 2>&1 3>&- &
	SPINNERS+=($!)
}

# stop_spinners: stop them (each prints how many adds went in and how many
# were refused), and wait for them.
stop_spinners() {
	local pid
	kill -TERM "${SPINNERS[@]}" 2>/dev/null || true
	for pid in "${SPINNERS[@]}"; do
		wait "$pid" || true
	done
	SPINNERS=()
}

# The status line of ioctest's query, from its values.
status_line() {
	printf 'query: version=1 debug_level=%s limit=%s opens=%s counter=%s' "$@"
}

# points: 6
@test "loading creates /dev/kcl_ioctl, a misc character device with mode 0666, and unloading removes it" {
	run insmod "$MODULE"
	assert_success
	assert_kernel_log "ioctl_lab: registered /dev/kcl_ioctl"
	assert [ -c "$DEV" ]
	assert_equal "$(file_mode "$DEV")" 666
	# misc devices share major 10; sysfs names the same numbers as the node
	assert_equal "$(stat -c %t "$DEV")" a
	assert_equal "$(cat /sys/class/misc/kcl_ioctl/dev)" \
		"$((0x$(stat -c %t "$DEV"))):$((0x$(stat -c %T "$DEV")))"
	# anyone may open it
	run run-as-user ioctest query
	assert_success
	assert_output "$(status_line 0 100 1 0)"
	rmmod ioctl_lab
	assert [ ! -e "$DEV" ]
	assert_kernel_log "ioctl_lab: removed /dev/kcl_ioctl"
	run insmod "$MODULE"
	assert_success
	assert [ -c "$DEV" ]
}

# points: 8
@test "every command round-trips, and QUERY and DUMP write exactly their structure" {
	insmod "$MODULE"
	run ioctest query size:query set:2:500 query add:7 add:500 query \
		size:dump reset query
	assert_success
	assert_output "$(status_line 0 100 1 0)
query writes exactly 24 bytes
set 2 500: ok
$(status_line 2 500 1 0)
add 7: counter=7
add 500: counter=507
$(status_line 2 500 1 507)
dump writes exactly 56 bytes
reset: ok
$(status_line 0 100 1 0)"
}

# points: 7
@test "wrong magic, unknown number, wrong size or wrong direction give ENOTTY and change nothing" {
	insmod "$MODULE"
	ioctest set:1:50 add:20 >/dev/null
	run ioctest snap enotty same
	assert_success
	assert_output "wrong magic: ENOTTY
wrong magic, number 0: ENOTTY
number 5: ENOTTY
number 5 as _IOR: ENOTTY
number 255: ENOTTY
query with size 4: ENOTTY
query with size 32: ENOTTY
query as _IOW: ENOTTY
query as _IOWR: ENOTTY
query as _IO: ENOTTY
reset as _IOW: ENOTTY
set as _IOR: ENOTTY
set with size 8: ENOTTY
set with size 24: ENOTTY
exchange as _IOW: ENOTTY
exchange with size 8: ENOTTY
dump with size 48: ENOTTY
dump as _IOWR: ENOTTY
a terminal's TCGETS: ENOTTY
state: unchanged"
}

# points: 7
@test "NULL, kernel and read-only addresses give EFAULT, change nothing, and the kernel stays clean" {
	insmod "$MODULE"
	ioctest set:2:30 add:30 >/dev/null
	run ioctest snap efault same
	assert_success
	assert_output "query into NULL: EFAULT
query into a kernel address: EFAULT
query into a read-only page: EFAULT
set from NULL: EFAULT
set from a kernel address: EFAULT
add with NULL: EFAULT
add with a kernel address: EFAULT
dump into NULL: EFAULT
dump into a kernel address: EFAULT
state: unchanged"
	# the add is made, but the new counter cannot be written back
	run ioctest readonly-add query
	assert_line "add 5 with a read-only page: EFAULT"
	assert_line --regexp '^query: .* counter=35$'
	run kernel_log
	refute_line --partial "Oops"
	refute_line --partial "BUG:"
	refute_line --partial "WARNING"
}

# points: 7
@test "out-of-range values give EINVAL and leave the state unchanged" {
	insmod "$MODULE"
	run ioctest set:1:10 add:10 snap \
		set:3:10 set:4294967295:10 set:2:0 set:2:1001 set:2:4294967295 \
		set:2:10:1 set:2:10:4294967296 add:0 add:11 add:4294967297 \
		add:18446744073709551615 same \
		set:2:1 add:1 set:0:1000 add:1000 query
	assert_success
	assert_output "set 1 10: ok
add 10: counter=10
set 3 10: EINVAL
set 4294967295 10: EINVAL
set 2 0: EINVAL
set 2 1001: EINVAL
set 2 4294967295: EINVAL
set 2 10 reserved=1: EINVAL
set 2 10 reserved=4294967296: EINVAL
add 0: EINVAL
add 11: EINVAL
add 4294967297: EINVAL
add 18446744073709551615: EINVAL
state: unchanged
set 2 1: ok
add 1: counter=11
set 0 1000: ok
add 1000: counter=1011
$(status_line 0 1000 1 1011)"
}

# points: 6
@test "the hidden DUMP command gives root the whole driver context, secret included" {
	insmod "$MODULE"
	run ioctest set:2:7 add:5 add:7 dump
	assert_success
	assert_output "set 2 7: ok
add 5: counter=5
add 7: counter=12
dump: counter=12 opens=1 commands=4 debug_level=2 limit=7 secret=kcl-secret-06"
	# refused commands (not ours, not allowed) are not counted
	run run-as-user ioctest dump
	assert_output "dump: EPERM"
	run ioctest unknown dump
	assert_output "unknown command: ENOTTY
dump: counter=12 opens=3 commands=5 debug_level=2 limit=7 secret=kcl-secret-06"
}

# points: 7
@test "reset, set and dump need CAP_SYS_ADMIN: EPERM without it, even for root; a normal user can still query and add" {
	insmod "$MODULE"
	ioctest set:1:50 add:9 >/dev/null
	run run-as-user ioctest query add:3 reset set:2:60 dump unknown query
	assert_success
	assert_output "$(status_line 1 50 2 9)
add 3: counter=12
reset: EPERM
set 2 60: EPERM
dump: EPERM
unknown command: ENOTTY
$(status_line 1 50 2 12)"
	refute_output --partial "kcl-secret-06"
	# the capability itself, not root: root without it is refused, and a
	# normal user who has just it is not
	run run-as-user -u 0 -g 0 -d CAP_SYS_ADMIN ioctest reset set:2:60 dump
	assert_success
	assert_output "reset: EPERM
set 2 60: EPERM
dump: EPERM"
	run run-as-user -k CAP_SYS_ADMIN ioctest set:2:60 reset
	assert_success
	assert_output "set 2 60: ok
reset: ok"
}

# points: 7
@test "a descriptor root opened loses the privileged commands when its process drops to uid 1000" {
	insmod "$MODULE"
	# opened as root, then setgroups, setgid, setuid: the same descriptor
	run ioctest set:1:50 add:9 reset set:1:50 add:9 drop query add:3 \
		reset set:2:60 dump query
	assert_success
	assert_output "set 1 50: ok
add 9: counter=9
reset: ok
set 1 50: ok
add 9: counter=9
dropped to uid 1000, the device still open
$(status_line 1 50 1 9)
add 3: counter=12
reset: EPERM
set 2 60: EPERM
dump: EPERM
$(status_line 1 50 1 12)"
}

# points: 6
@test "8 threads adding at once on one descriptor end on the exact total" {
	insmod "$MODULE"
	# thread t adds t + 1, 150 times: 150 * (1 + ... + 8) = 5400
	run ioctest threads:8:150 query
	assert_success
	assert_output "threads: 8 x 150 adds, counter=5400 expected=5400
$(status_line 0 100 1 5400)"
}

# points: 4
@test "EXCHANGE checks the limit under the lock: with adders on both CPUs, no add of 1000 gets in after a reset to limit 100" {
	insmod "$MODULE"
	# the second CPU, if the VM has one (VM_CPUS=1: everything on CPU 0)
	local other=$(($(nproc) > 1 ? 1 : 0)) line
	start_spinner 0
	start_spinner 0
	start_spinner "$other"
	start_spinner "$other"
	# 50 rounds of: limit 1000, a moment, reset; the setter shares CPU 0
	# with two adders, at a higher priority (see op_limits in ioctest.c)
	run taskset -c 0 ioctest limits:50
	stop_spinners
	assert_output "limits: 50 rounds, no add of 1000 after a reset to limit 100"
	# each adder took part: some of its adds went in, some were refused
	run cat "$BATS_TEST_TMPDIR"/spinner.*
	assert_equal "${#lines[@]}" 4
	for line in "${lines[@]}"; do
		assert_regex "$line" '^spin 1000: [1-9][0-9]* added, [1-9][0-9]* refused$'
	done
}

# after a load refused by a failing allocation: an error, said, no device
load_refused_cleanly() {
	# the kernel's functions say how they failed (not always ENOMEM)
	assert_output --regexp ' init returned E[A-Z]+$'
	assert_kernel_log "ioctl_lab: cannot register /dev/kcl_ioctl: error -"
	assert [ ! -e "$DEV" ]
}

# points: 3
@test "a failing allocation at load: the error, said, no device, nothing leaked (debug kernel)" {
	each_failing_allocation_at_load load_refused_cleanly "$MODULE"
}

# points: 5
@test "rmmod is refused while /dev/kcl_ioctl is open, and works once it is closed" {
	insmod "$MODULE"
	# The device is open in a shell of its own, closed before that shell
	# ends. An open file must hold a reference on the module; if it holds
	# none, rmmod is not even tried: it would succeed, and closing the file
	# afterwards would crash in the freed module.
	run timeout 20 sh -c 'exec 3<"$1"
		refs=$(cat /sys/module/ioctl_lab/refcnt)
		echo "references while open: $refs"
		[ "$refs" -gt 0 ] || exit 0
		rmmod ioctl_lab; echo "rmmod: $?"
		exec 3<&-' sh "$DEV"
	assert_success
	assert_line "references while open: 1"
	assert_line --regexp '^rmmod: [1-9]'
	assert module_loaded ioctl_lab
	assert [ -c "$DEV" ]
	assert_equal "$(cat /sys/module/ioctl_lab/refcnt)" 0
	run rmmod ioctl_lab
	assert_success
	assert [ ! -e "$DEV" ]
}

# points: 7
@test "the client's query, set, add, dump and reset print the documented lines" {
	insmod "$MODULE"
	run -0 ioctl_client query
	assert_output "version: 1
debug_level: 0
limit: 100
opens: 1
counter: 0"
	run -0 --separate-stderr ioctl_client set 2 500
	assert_output ""
	assert_equal "$stderr" ""
	run -0 ioctl_client add 7
	assert_output "counter: 7"
	run -0 ioctl_client -d "$DEV" add 500
	assert_output "counter: 507"
	run -0 ioctl_client query
	assert_output "version: 1
debug_level: 2
limit: 500
opens: 5
counter: 507"
	run -0 ioctl_client dump
	assert_output "counter: 507
opens: 6
commands: 6
debug_level: 2
limit: 500
secret: kcl-secret-06"
	run -0 --separate-stderr ioctl_client reset
	assert_output ""
	assert_equal "$stderr" ""
	run -0 ioctl_client query
	assert_output "version: 1
debug_level: 0
limit: 100
opens: 8
counter: 0"
	# run strips only the last newline: a line without its own would
	# run into the next command's first, and "end" shows the last one
	run -0 bash -c "ioctl_client add 1; ioctl_client query; ioctl_client dump; echo end"
	assert_equal "${#lines[@]} lines, the last: ${lines[12]}" "13 lines, the last: end"
}

# points: 5
@test "the client reports a refused command on stderr as ioctl_client: COMMAND: reason and exits 1" {
	insmod "$MODULE"
	run -1 --separate-stderr ioctl_client add 0
	assert_output ""
	assert_equal "$stderr" "ioctl_client: add: Invalid argument"
	run -1 --separate-stderr ioctl_client add 101
	assert_equal "$stderr" "ioctl_client: add: Invalid argument"
	run -1 --separate-stderr ioctl_client set 3 100
	assert_equal "$stderr" "ioctl_client: set: Invalid argument"
	run -1 --separate-stderr run-as-user ioctl_client reset
	assert_equal "$stderr" "ioctl_client: reset: Operation not permitted"
	run -1 --separate-stderr run-as-user ioctl_client set 1 10
	assert_equal "$stderr" "ioctl_client: set: Operation not permitted"
	run -1 --separate-stderr run-as-user ioctl_client dump
	assert_output ""
	assert_equal "$stderr" "ioctl_client: dump: Operation not permitted"
	run -0 run-as-user ioctl_client add 2
	assert_output "counter: 2"
	run -1 --separate-stderr ioctl_client -d /dev/kcl_nothing query
	assert_equal "$stderr" "ioctl_client: /dev/kcl_nothing: No such file or directory"
	run -2 ioctl_client frobnicate
	run -2 ioctl_client add 1x
	run -2 ioctl_client set 1
	run -0 ioctl_client query
	assert_line "debug_level: 0"
	assert_line "counter: 2"
}
