# shellcheck shell=bash
# shellcheck disable=SC2034 # the BATS_ variables are bats-core's own
# A faster bats_test_function for bats-core 1.13.0, appended to its
# test_functions.bash when the VM is built (vm/initramfs.sh), which renames
# bats's own to kcl_lib_bats_test_function.
#
# Every test reads its file again, and bats-preprocess made each @test of it
# a call `bats_test_function --description D --tags T --tags T -- NAME`: a
# test of a file of N tests registers all N, each parsing its options and
# quoting its name to see whether it is the test that runs, about 2 ms a
# call under TCG (0.4 s for chardev.bats's 14 tests). For a test that is not
# the one running, all that call leaves behind is NAME in BATS_TEST_NAMES;
# any other call, and the running test's, goes to bats's own.
bats_test_function() {
	if kcl_preprocessed_test "$@" && [[ $8 != "${BATS_TEST_NAME-}" ]]; then
		BATS_TEST_NAMES+=("$8")
	else
		kcl_lib_bats_test_function "$@"
	fi
}

# kcl_preprocessed_test ARGS...: whether bats_test_function's ARGS are a
# call as bats-preprocess writes it, with a NAME made of letters, digits, _
# and -, which is its own quoted form (what BATS_TEST_NAME and bats's list
# of tests hold). Also for grader/guest/bats-gather.bash.
kcl_preprocessed_test() {
	(($# == 8)) && [[ $1$3$5$7 == --description--tags--tags-- &&
		$8 != *[!a-zA-Z0-9_-]* ]]
}
