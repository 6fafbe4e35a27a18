#!/usr/bin/env bats
# An example of an instructor's hidden tests for lab 01 (make grade
# EXTRA_TESTS=grader/tests/hidden-example). The kit's own tests grade the
# reference solution with them: the first passes, the second (a stricter
# requirement the lab README does not state) fails, and the report must
# not show its assertion.

setup() {
	bats_load_library kcl
	HELLO=$(module_file hello)
}

teardown() {
	unload_module hello
}

# points: 5
@test "hidden: times=5 greets five times" {
	run insmod "$HELLO" times=5
	assert_success
	run kernel_log
	assert_line --partial "hello: Hello, world! (5/5)"
}

# points: 5
@test "hidden: the greeting names the kernel release" {
	insmod "$HELLO"
	run kernel_log
	assert_line --partial "HIDDEN-ASSERTION-6f1c: $(uname -r)"
}
