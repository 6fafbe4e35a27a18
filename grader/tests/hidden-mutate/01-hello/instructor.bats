#!/usr/bin/env bats
# An example of an instructor's hidden tests that the reference solution
# passes, for make mutate: make mutate LAB=01
# EXTRA_TESTS=grader/tests/hidden-mutate prints lab 01's score with these
# tests and without them.

setup() {
	bats_load_library kcl
	HELLO=$(module_file hello)
}

teardown() {
	unload_module hello
}

# points: 5
@test "hidden: times=5 greets five times, numbered" {
	run insmod "$HELLO" times=5
	assert_success
	run kernel_log
	assert_line --partial "hello: Hello, world! (1/5)"
	assert_line --partial "hello: Hello, world! (5/5)"
}
