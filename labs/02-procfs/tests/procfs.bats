#!/usr/bin/env bats
# Lab 02 tests. The grader runs them inside the lab VM; in `make boot`,
# run them by hand with `run-tests`. Points are declared above each test.
# procio (tests/helpers/procio.c) makes the exact system calls the shell
# cannot: one write(2) of given bytes, bad user pointers, set buffer sizes.

setup() {
	bats_load_library kcl
	MOD=$(module_file procfs_lab)
	DIR=/proc/kcl_procfs
	LEVEL=$DIR/debug_level
}

teardown() {
	unload_module procfs_lab
}

# points: 7
@test "loading creates /proc/kcl_procfs with four files, each with its mode" {
	run insmod "$MOD"
	assert_success
	assert_kernel_log "procfs_lab: created /proc/kcl_procfs"
	assert [ -d "$DIR" ]
	assert_equal "$(ls "$DIR" | tr '\n' ' ')" "context debug_level table writes "
	assert_equal "$(file_mode "$DIR")" 555
	assert_equal "$(file_mode "$LEVEL")" 644
	assert_equal "$(file_mode "$DIR/writes")" 444
	assert_equal "$(file_mode "$DIR/context")" 400
	assert_equal "$(file_mode "$DIR/table")" 444
	# the testing aid is read-only too
	assert_equal "$(file_mode /sys/module/procfs_lab/parameters/fail_at)" 444
}

# points: 8
@test "each small file reads exactly its text, with cat and with dd bs=1, and debug_level starts at 0" {
	insmod "$MOD"
	local file expected=$BATS_TEST_TMPDIR/expected
	local by_cat=$BATS_TEST_TMPDIR/cat by_dd=$BATS_TEST_TMPDIR/dd
	for file in debug_level writes context; do
		# timeout: a file that never reaches end of file fails, not hangs
		timeout 10 cat "$DIR/$file" >"$by_cat"
		timeout 10 dd if="$DIR/$file" of="$by_dd" bs=1 2>/dev/null
		# byte for byte: $(cat) would drop a NUL, and a stray byte
		# after the text is memory nobody meant to show
		case $file in
		context)
			# debug_level was read twice: once by cat, once by dd
			printf 'reads: 2\nwrites: 0\ndebug_level: 0\nsecret: kcl-secret-02\n'
			;;
		*) printf '0\n' ;;
		esac >"$expected"
		assert cmp "$expected" "$by_cat"
		assert cmp "$expected" "$by_dd"
	done
}

# points: 9
@test "echo 2 and printf 2 both set debug_level, and a write returns its full count" {
	insmod "$MOD"
	run procio write "$LEVEL" $'2\n'
	assert_success
	assert_output "wrote 2"
	assert_equal "$(cat "$LEVEL")" 2
	run procio write "$LEVEL" 1
	assert_success
	assert_output "wrote 1"
	assert_equal "$(cat "$LEVEL")" 1
	# KCL_INPUT_MAX bytes are still fine
	run procio write "$LEVEL" $'000000000000002\n'
	assert_success
	assert_output "wrote 16"
	assert_equal "$(cat "$LEVEL")" 2
	echo 0 >"$LEVEL"
	assert_equal "$(cat "$LEVEL")" 0
	printf 2 >"$LEVEL"
	assert_equal "$(cat "$LEVEL")" 2
	printf 0 >"$LEVEL"
	assert_equal "$(cat "$LEVEL")" 0
}

# points: 11
@test "bad values give EINVAL and keep the old debug_level" {
	insmod "$MOD"
	echo 2 >"$LEVEL"
	# 4 KiB: 4095 zeros, then a 1
	local long bad
	long=$(printf '%04095d1' 0)
	assert_equal "${#long}" 4096
	# 17 bytes: one past KCL_INPUT_MAX, though a number
	for bad in abc $'abc\n' $'\n' "1 2" $'1 2\n' 2x 3 $'3\n' -1 "$long" \
		$'0000000000000001\n'; do
		run procio write "$LEVEL" "$bad"
		assert_failure
		assert_output EINVAL
		assert_equal "$(cat "$LEVEL")" 2
	done
	# and through the shell, as a user would do it
	run sh -c "echo 5 >$LEVEL"
	assert_failure
	assert_output --partial "Invalid argument"
	assert_equal "$(cat "$LEVEL")" 2
}

# points: 5
@test "a bad user pointer gives EFAULT and leaves the kernel unharmed" {
	insmod "$MOD"
	echo 1 >"$LEVEL"
	run procio badwrite "$LEVEL"
	assert_output EFAULT
	run procio badread "$LEVEL"
	assert_output EFAULT
	run procio badread "$DIR/context"
	assert_output EFAULT
	run procio badread "$DIR/table"
	assert_output EFAULT
	assert_equal "$(cat "$LEVEL")" 1
	run kernel_log
	refute_line --partial "Oops"
	refute_line --partial "BUG:"
}

# points: 6
@test "root cannot write the read-only writes file, which counts accepted writes only" {
	insmod "$MOD"
	echo 1 >"$LEVEL"
	printf 2 >"$LEVEL"
	run procio write "$LEVEL" 5
	run procio write "$LEVEL" abc
	assert_equal "$(cat "$DIR/writes")" 2
	run procio write "$DIR/writes" $'7\n'
	assert_failure
	assert_equal "$(cat "$DIR/writes")" 2
}

# points: 6
@test "a normal user can read debug_level but neither write it nor read the context" {
	insmod "$MOD"
	run run-as-user cat "$LEVEL"
	assert_success
	assert_output 0
	run run-as-user sh -c "echo 1 >$LEVEL"
	assert_failure
	assert_output --partial "Permission denied"
	assert_equal "$(cat "$LEVEL")" 0
	run run-as-user cat "$DIR/context"
	assert_failure
	assert_output --partial "Permission denied"
	refute_output --partial "kcl-secret-02"
	run run-as-user cat "$DIR/writes"
	assert_success
	assert_output 0
}

# points: 6
@test "the context dump shows reads, writes, debug_level and the secret" {
	insmod "$MOD"
	cat "$LEVEL" >/dev/null
	cat "$LEVEL" >/dev/null
	cat "$LEVEL" >/dev/null
	echo 1 >"$LEVEL"
	echo 2 >"$LEVEL"
	run procio write "$LEVEL" 9
	assert_output EINVAL
	run cat "$DIR/context"
	assert_success
	assert_output "reads: 3
writes: 2
debug_level: 2
secret: kcl-secret-02"
}

# points: 8
@test "the table file is larger than a page and reads the same with any buffer size" {
	insmod "$MOD"
	local expected=$BATS_TEST_TMPDIR/expected got=$BATS_TEST_TMPDIR/got size
	awk 'BEGIN { for (i = 0; i < 512; i++) printf "%4d %8d\n", i, i * i }' \
		>"$expected"
	assert_equal "$(stat -c %s "$expected")" 7168
	for size in 1 7 100 4096 65536; do
		# procio gives up past 1 MiB: a table that never ends fails, not hangs
		procio read "$DIR/table" "$size" >"$got" ||
			fail "reading the table with a $size-byte buffer failed"
		assert cmp "$expected" "$got"
	done
	timeout 10 cat "$DIR/table" >"$got"
	assert cmp "$expected" "$got"
	run-as-user cat "$DIR/table" >"$got"
	assert cmp "$expected" "$got"
}

# points: 6
@test "a writer and a reader on two CPUs see every write whole and every count exact" {
	insmod "$MOD"
	# 250 writes on CPU 0, a reader on each other CPU: see do_race in
	# helpers/procio.c
	run procio race "$DIR" 250
	assert_success
	assert_output --regexp '^ok: [0-9]+ writes, [0-9]+ reads$'
}

# points: 5
@test "unloading removes /proc/kcl_procfs, and 10 insmod/rmmod cycles stay clean" {
	insmod "$MOD"
	rmmod procfs_lab
	assert [ ! -e "$DIR" ]
	assert_kernel_log "procfs_lab: removed /proc/kcl_procfs"
	local i
	for ((i = 0; i < 10; i++)); do
		insmod "$MOD"
		assert [ -e "$DIR/table" ]
		rmmod procfs_lab
		assert [ ! -e "$DIR" ]
	done
	run kernel_log
	refute_line --partial "already registered"
	refute_line --partial "leaking"
	refute_line --partial "WARNING"
	assert_equal "$(unexpected_taint)" 0
}

# points: 5
@test "a failing init removes everything it created (fail_at=1 to 5)" {
	local step
	for step in 1 2 3 4 5; do
		run insmod "$MOD" fail_at=$step
		assert_failure
		assert_output --partial "Cannot allocate memory"
		refute module_loaded procfs_lab
		assert [ ! -e "$DIR" ]
		# read at once: a message without its newline is not in the log
		# until the kernel logs something else
		run kernel_log
		refute_line --partial "procfs_lab: created"
		((step == 1)) || assert_line --partial "procfs_lab: could not create /proc/kcl_procfs"
	done
	run insmod "$MOD" fail_at=6
	assert_success
	assert [ -e "$DIR/table" ]
	run kernel_log
	refute_line --partial "already registered"
	refute_line --partial "leaking"
	refute_line --partial "WARNING"
}

# after a load refused by a failing allocation: the error, and nothing left
load_refused_cleanly() {
	assert_output --regexp ' init returned ENOMEM$'
	assert [ ! -e "$DIR" ]
}

# points: 3
@test "a failing allocation at load undoes every step before it: ENOMEM, nothing left in /proc, nothing leaked (debug kernel)" {
	each_failing_allocation_at_load load_refused_cleanly "$MOD"
}
