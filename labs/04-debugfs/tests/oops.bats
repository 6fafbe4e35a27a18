#!/usr/bin/env bats
# Lab 04, the Oops on purpose. These tests break the kernel (an Oops, taint
# D), so the grader runs this file alone, in a VM of its own, after the
# other tests (LAB_ALONE_TESTS in lab.conf). The tests run in order and
# build on each other: the first leaves the files behind, the second reads
# one and records the Oops, the third compares your oops_answer.h with it.

setup() {
	bats_load_library kcl
	MODULE=$(module_file debugfs_lab)
	DIR=/sys/kernel/debug/kcl_debugfs
	OOPS_LOG=$BATS_FILE_TMPDIR/oops.log
}

teardown() {
	unload_module debugfs_lab
}

# The answer is compared as a digest, so that this file does not give it
# away. REFERENCE_DIGEST is the digest of the function the reference
# module's Oops names on 6.1 and 6.12 alike; it is used only when no Oops
# was recorded in this VM.
REFERENCE_DIGEST=f014a5c7bb0b81829476aa90bb62c4a0d7563cad98db6e19fba03114d3858a5b

# name_digest NAME: the SHA-256 of a function name, without the
# "+0x9/0x20" of a RIP line or the spaces around it.
name_digest() {
	local name=${1%%+*}
	name=${name#"${name%%[![:space:]]*}"}
	name=${name%"${name##*[![:space:]]}"}
	printf '%s' "$name" | sha256sum | cut -d ' ' -f 1
}

# points: 5
@test "with cause_an_oops=1, unloading leaves the debugfs files behind" {
	run insmod "$MODULE" cause_an_oops=1
	assert_success
	# each line read at once: a line without its newline is not in the log
	# until the kernel logs another
	assert_kernel_log "debugfs_lab: cause_an_oops=1: the files will stay after rmmod"
	assert_equal "$(cat /sys/module/debugfs_lab/parameters/cause_an_oops)" Y
	assert [ -f "$DIR/threshold" ]
	run rmmod debugfs_lab
	assert_success
	refute module_loaded debugfs_lab
	assert_kernel_log "debugfs_lab: cause_an_oops=1: leaving the files behind"
	# the module is gone, its files are not
	assert [ -f "$DIR/threshold" ]
	assert [ -f "$DIR/context" ]
	# the early return skips the "removed ..." message: nothing was removed
	run kernel_log
	refute_line --partial "debugfs_lab: removed"
}

# points: 5
@test "reading a file left behind kills the reader, logs a kernel oops and taints the kernel D" {
	if [[ ! -e $DIR/threshold ]]; then
		# the test above failed half-way: set the trap again
		unload_module debugfs_lab
		insmod "$MODULE" cause_an_oops=1
		rmmod debugfs_lab
	fi
	run cat "$DIR/threshold"
	kernel_log >"$OOPS_LOG"
	# 137 = 128 + 9: the kernel killed the reader (SIGKILL)
	assert_equal "cat's exit status: $status" "cat's exit status: 137"
	run cat "$OOPS_LOG"
	assert_line --regexp 'BUG: unable to handle page fault for address'
	assert_line --regexp 'Oops: '
	assert_line --regexp 'RIP: 0010:[A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+'
	assert_line --regexp 'Call Trace:'
	assert_line --regexp 'Tainted: '
	# taint bit 7 (128) is D: the kernel died, in part, once
	assert_equal "taint D: $(($(cat /proc/sys/kernel/tainted) & 128))" "taint D: 128"
}

# points: 5
@test "oops_answer.h names the faulting function of the RIP line" {
	local expected answer
	expected=$(sed -n "s/.*RIP: 0010:\([A-Za-z0-9_.]*\)+0x.*/\1/p" \
		"$OOPS_LOG" 2>/dev/null | head -n 1)
	if [[ -n $expected ]]; then
		expected=$(name_digest "$expected")
	else
		expected=$REFERENCE_DIGEST
	fi
	answer=$(modinfo -F oops_answer "$MODULE")
	# a hint on where to look, never the function itself
	[[ $(name_digest "$answer") == "$expected" ]] ||
		fail "OOPS_FAULTING_FUNCTION \"$answer\" is not the function" \
			"in the RIP line of the Oops: trigger the Oops in" \
			"make boot LAB=04 (task 11), then read it with the" \
			"README's section \"Reading an Oops\""
}
