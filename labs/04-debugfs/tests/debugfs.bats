#!/usr/bin/env bats
# Lab 04 tests, except the Oops (oops.bats). The grader runs them inside the
# lab VM; in `make boot`, run them by hand with `run-tests`. Points are
# declared above each test.

setup() {
	bats_load_library kcl
	MODULE=$(module_file debugfs_lab)
	DIR=/sys/kernel/debug/kcl_debugfs
}

teardown() {
	unload_module debugfs_lab
}

# One write(2) of the text, without a newline (printf), or with one (echo).
# bash's builtins name the error: "printf: write error: Invalid argument".
write_raw() {
	printf '%s' "$2" >"$1"
}
write_line() {
	echo "$2" >"$1"
}

# points: 10
@test "loading creates /sys/kernel/debug/kcl_debugfs with its seven files and their modes" {
	insmod "$MODULE"
	# read at once: a line without its newline is not in the log until the
	# kernel logs another
	assert_kernel_log "debugfs_lab: created /sys/kernel/debug/kcl_debugfs"
	assert [ -d "$DIR" ]
	local entry
	for entry in debug_level:644 context:400 reads:444 writes:444 \
		threshold:644 flags:644 enabled:644; do
		assert [ -f "$DIR/${entry%:*}" ]
		assert_equal "${entry%:*} $(file_mode "$DIR/${entry%:*}")" \
			"${entry%:*} ${entry#*:}"
	done
	assert_equal "$(ls "$DIR" | wc -l)" 7
	# and the parameter is read-only
	assert_equal "$(file_mode /sys/module/debugfs_lab/parameters/cause_an_oops)" 444
}

# points: 10
@test "the numeric files round-trip: threshold in decimal, flags in hex, enabled as Y/N" {
	insmod "$MODULE"
	assert_equal "$(cat "$DIR/threshold")" 50
	echo 4294967295 >"$DIR/threshold"
	assert_equal "$(cat "$DIR/threshold")" 4294967295
	echo 0 >"$DIR/threshold"
	assert_equal "$(cat "$DIR/threshold")" 0
	echo 123 >"$DIR/threshold"
	assert_equal "$(cat "$DIR/threshold")" 123

	assert_equal "$(cat "$DIR/flags")" 0x00000000
	echo 0xdeadbeef >"$DIR/flags"
	assert_equal "$(cat "$DIR/flags")" 0xdeadbeef
	echo 42 >"$DIR/flags"
	assert_equal "$(cat "$DIR/flags")" 0x0000002a

	assert_equal "$(cat "$DIR/enabled")" Y
	echo N >"$DIR/enabled"
	assert_equal "$(cat "$DIR/enabled")" N
	echo 1 >"$DIR/enabled"
	assert_equal "$(cat "$DIR/enabled")" Y

	# the helpers write straight into the driver context
	run cat "$DIR/context"
	assert_line "threshold: 123"
	assert_line "flags: 0x0000002a"
	assert_line "enabled: Y"
	# reads and writes are read only, even for root
	run write_line "$DIR/writes" 7
	assert_failure
	assert_equal "$(cat "$DIR/writes")" 0
}

# points: 10
@test "context shows the driver context, seven lines in the documented format" {
	insmod "$MODULE"
	echo 2 >"$DIR/debug_level"
	cat "$DIR/debug_level" >/dev/null
	echo 7 >"$DIR/threshold"
	echo 0x10 >"$DIR/flags"
	echo N >"$DIR/enabled"
	local got=$BATS_TEST_TMPDIR/context want=$BATS_TEST_TMPDIR/want
	cat "$DIR/context" >"$got"
	printf '%s\n' "reads: 1" "writes: 1" "debug_level: 2" "threshold: 7" \
		"flags: 0x00000010" "enabled: N" "secret: kcl-secret-04" >"$want"
	# cat -v shows stray bytes (a NUL is ^@) that the shell would drop
	run cat -v "$got"
	assert_output "$(cat "$want")"
	assert_equal "$(wc -c <"$got")" "$(wc -c <"$want")"
}

# points: 5
@test "reading context and debug_level with dd bs=1 gives exactly what cat gives" {
	insmod "$MODULE"
	echo 1 >"$DIR/debug_level"
	local file
	for file in context debug_level; do
		cat "$DIR/$file" >"$BATS_TEST_TMPDIR/cat"
		dd if="$DIR/$file" of="$BATS_TEST_TMPDIR/dd" bs=1 2>/dev/null
		run cmp "$BATS_TEST_TMPDIR/cat" "$BATS_TEST_TMPDIR/dd"
		assert_success
	done
}

# points: 7
@test "a read of 1, 7 or 16 bytes returns that many and leaves the rest of the buffer untouched" {
	insmod "$MODULE"
	run canary "$DIR/context" 1 7 16
	assert_success
	run canary "$DIR/debug_level" 1
	assert_success
}

# points: 10
@test "debug_level takes 0 to 2, with or without a newline, refuses the rest with EINVAL, and a bad address with EFAULT" {
	insmod "$MODULE"
	local file=$DIR/debug_level good bad
	# the digit and a newline, nothing after them: cat -v shows the bytes
	# the shell would drop (a NUL is ^@, stack nobody wrote M-~)
	run cat -v "$file"
	assert_output 0
	assert_equal "$(wc -c <"$file")" 2
	for good in 2 0 1; do
		echo "$good" >"$file"
		assert_equal "$(cat "$file")" "$good"
	done
	# printf writes no newline: the whole text is the number
	for good in 2 0 1; do
		printf '%s' "$good" >"$file"
		assert_equal "$(cat "$file")" "$good"
	done
	for bad in 3 -1 12 20 abc 1x ' 1' '1 2' 00000000000000001; do
		run write_raw "$file" "$bad"
		assert_failure
		assert_output --partial "Invalid argument"
		run write_line "$file" "$bad"
		assert_failure
		assert_output --partial "Invalid argument"
		assert_equal "$(cat "$file")" 1
	done
	# KCL_INPUT_MAX (16) bytes are still fine, with or without the newline
	write_raw "$file" 0000000000000002
	assert_equal "$(cat "$file")" 2
	write_line "$file" 000000000000001
	assert_equal "$(cat "$file")" 1
	# a bad address is no bad value: EFAULT, and nothing changes
	run badwrite "$file"
	assert_success
	assert_output EFAULT
	assert_equal "$(cat "$file")" 1
}

# points: 5
@test "reads counts reads of debug_level from its start, writes the accepted writes" {
	insmod "$MODULE"
	assert_equal "$(cat "$DIR/reads")" 0
	assert_equal "$(cat "$DIR/writes")" 0
	cat "$DIR/debug_level" >/dev/null
	dd if="$DIR/debug_level" of=/dev/null bs=1 2>/dev/null
	echo 1 >"$DIR/debug_level"
	run write_line "$DIR/debug_level" 5
	assert_failure
	printf 2 >"$DIR/debug_level"
	cat "$DIR/debug_level" >/dev/null
	assert_equal "$(cat "$DIR/reads")" 3
	assert_equal "$(cat "$DIR/writes")" 2
	run cat "$DIR/context"
	assert_line "reads: 3"
	assert_line "writes: 2"
}

# points: 5
@test "unloading removes the whole directory, and the module loads again" {
	insmod "$MODULE"
	rmmod debugfs_lab
	assert [ ! -e "$DIR" ]
	assert_kernel_log "debugfs_lab: removed /sys/kernel/debug/kcl_debugfs"
	run insmod "$MODULE"
	assert_success
	assert [ -f "$DIR/context" ]
	rmmod debugfs_lab
	assert [ ! -e "$DIR" ]
}

# points: 5
@test "rmmod is refused while context is open, and works once it is closed" {
	insmod "$MODULE"
	assert [ -f "$DIR/context" ]
	# the file is open in a shell of its own, closed before that shell ends
	run sh -c 'exec 3<"$1"; rmmod debugfs_lab; status=$?; exec 3<&-; exit $status' \
		sh "$DIR/context"
	assert_failure
	assert module_loaded debugfs_lab
	assert [ -f "$DIR/context" ]
	run rmmod debugfs_lab
	assert_success
}

# points: 5
@test "rmmod works while threshold is open; the open file then reads EIO and the kernel stays clean" {
	insmod "$MODULE"
	# threshold's file operations are the kernel's, not the module's: an
	# open one does not hold the module, and debugfs cuts it off on removal
	run sh -c 'exec 3<"$1"; rmmod debugfs_lab || exit 10
		[ ! -e "$1" ] || exit 11
		cat <&3; echo "cat: $?"' sh "$DIR/threshold"
	assert_success
	assert_output --partial "Input/output error"
	assert_line "cat: 1"
	refute module_loaded debugfs_lab
	run kernel_log
	refute_line --regexp 'Oops|BUG:|general protection fault'
}

# after a load refused by a failing allocation: the error, said, and
# nothing left (a failing file is no reason to refuse the load)
load_refused_cleanly() {
	assert_output --regexp ' init returned ENOMEM$'
	assert [ ! -e "$DIR" ]
	# read at once: a line without its newline is not in the log until the
	# kernel logs another
	run kernel_log
	assert_line --partial "debugfs_lab: cannot create /sys/kernel/debug/kcl_debugfs: error -12"
}

# points: 3
@test "a failing allocation for the directory refuses the load with ENOMEM and says so (debug kernel)" {
	each_failing_allocation_at_load load_refused_cleanly "$MODULE"
}
