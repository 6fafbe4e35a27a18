#!/usr/bin/env bats
# Lab 01 tests. The grader runs them inside the lab VM; in `make boot`,
# run them by hand with `run-tests`. Points are declared above each test.

setup() {
	bats_load_library kcl
	HELLO=$(module_file hello)
}

teardown() {
	unload_module hello
}

# points: 10
@test "loading greets whom, times times, and lists the lucky numbers" {
	run insmod "$HELLO" whom=tux times=2 lucky=7,42
	assert_success
	run kernel_log
	assert_line --partial "hello: Hello, tux! (1/2)"
	assert_line --partial "hello: Hello, tux! (2/2)"
	assert_line --partial "hello: lucky number 1: 7"
	assert_line --partial "hello: lucky number 2: 42"
	refute_line --partial "lucky number 3"
	refute_line --partial "(3/2)"
}

# points: 10
@test "with no parameters it greets the world once and has no lucky numbers" {
	run insmod "$HELLO"
	assert_success
	run kernel_log
	assert_line --partial "hello: Hello, world! (1/1)"
	assert_line --partial "hello: no lucky numbers"
	refute_line --partial "(2/1)"
}

# points: 10
@test "unloading says goodbye and removes /sys/module/hello" {
	insmod "$HELLO" whom=tux
	assert [ -d /sys/module/hello ]
	run rmmod hello
	assert_success
	assert_kernel_log "hello: Goodbye, tux"
	assert [ ! -e /sys/module/hello ]
}

# points: 10
@test "parameters show in /sys/module/hello/parameters with their values and modes" {
	insmod "$HELLO" whom=tux times=3 lucky=1,2,3
	local dir=/sys/module/hello/parameters
	assert_equal "$(cat "$dir/whom")" tux
	assert_equal "$(cat "$dir/times")" 3
	assert_equal "$(cat "$dir/lucky")" 1,2,3
	assert_equal "$(cat "$dir/verbosity")" 1
	assert_equal "$(file_mode "$dir/whom")" 444
	assert_equal "$(file_mode "$dir/times")" 444
	assert_equal "$(file_mode "$dir/lucky")" 444
	assert_equal "$(file_mode "$dir/verbosity")" 644
}

# points: 5
@test "modinfo shows license, author, description, version and every parameter" {
	run modinfo "$HELLO"
	assert_success
	assert_line --regexp '^license: +GPL$'
	assert_line --regexp '^author: +[^ ]'
	assert_line --regexp '^description: +[^ ]'
	assert_line --regexp '^version: +[^ ]'
	local param
	for param in whom times lucky verbosity; do
		# a parameter without MODULE_PARM_DESC has no description here
		assert_line --regexp "^parm: +$param:[^ ]"
	done
}

# points: 15
@test "bad values at load are refused with EINVAL, say why, and leave nothing loaded" {
	local bad why
	while IFS='|' read -r bad why; do
		run insmod "$HELLO" "$bad"
		assert_failure
		assert_output --partial "Invalid argument"
		assert [ ! -e /sys/module/hello ]
		# read at once: a message without its newline is not in the log
		# until the kernel logs something else
		run kernel_log
		[[ -z $why ]] || assert_line --partial "hello: $why"
		refute_line --partial "Hello,"
	done <<-'BAD'
		times=0|times must be 1 to 5, not 0
		times=6|times must be 1 to 5, not 6
		whom=|whom must have 1 to 32 characters
		whom=abcdefghijklmnopqrstuvwxyz0123456|whom must have 1 to 32 characters
		lucky=5,100|lucky numbers must be 0 to 99, not 100
		lucky=-1|lucky numbers must be 0 to 99, not -1
		lucky=1,2,3,4,5|
		verbosity=4|
	BAD
	# the limits themselves are fine
	run insmod "$HELLO" times=5 lucky=0,99,1,98 whom=abcdefghijklmnopqrstuvwxyz012345 verbosity=3
	assert_success
	rmmod hello
	run insmod "$HELLO" times=1 whom=a verbosity=0
	assert_success
}

# points: 15
@test "verbosity changes at run time, bad values give EINVAL and keep the old one" {
	insmod "$HELLO"
	local file=/sys/module/hello/parameters/verbosity
	echo 3 >"$file"
	assert_equal "$(cat "$file")" 3
	assert_kernel_log "hello: verbosity 1 -> 3"
	local bad
	for bad in 4 -1 abc 2x ""; do
		run sh -c "echo '$bad' >$file"
		assert_failure
		assert_output --partial "Invalid argument"
		assert_equal "$(cat "$file")" 3
	done
	echo 0 >"$file"
	assert_equal "$(cat "$file")" 0
}

# points: 5
@test "a second insmod fails with EEXIST while the first stays loaded" {
	insmod "$HELLO"
	run insmod "$HELLO"
	assert_failure
	assert_output --partial "File exists"
	assert module_loaded hello
}

# points: 5
@test "10 load/unload cycles leave no taint beyond out-of-tree and unsigned" {
	local i
	for ((i = 0; i < 10; i++)); do
		insmod "$HELLO" whom="cycle$i"
		rmmod hello
	done
	assert_equal "$(unexpected_taint)" 0
	refute module_loaded hello
}

# after a load refused by a failing allocation: the error, and nothing left
load_refused_cleanly() {
	assert_output --regexp ' init returned ENOMEM$'
}

# points: 5
@test "a failing allocation at load gives ENOMEM and leaks nothing (debug kernel)" {
	each_failing_allocation_at_load load_refused_cleanly "$HELLO" whom=tux
}
