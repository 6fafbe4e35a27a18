# shellcheck shell=bash
# bats's run and bats-assert's assertions without bats's DEBUG trap,
# appended to bats-core's test_functions.bash when the VM is built
# (vm/initramfs.sh), which renames run to kcl_lib_run and each assert_NAME
# and refute_NAME of bats-assert to kcl_lib_NAME, and defines NAME as
# `kcl_untraced kcl_lib_NAME "$@"`.
#
# Bats runs its DEBUG trap before every command of a test, the commands of
# bats and the libraries included, where the trap only checks the command's
# file and lets it go (vm/initramfs.sh): under TCG that check is half the
# time of a run or an assertion, 10 ms of the 13 of an assert_line on 30
# lines. They run no command of the test's own that the trap would record
# (run turns off the trap's inheritance, set +T, for the command it runs),
# so with the trap off for them, and on again after, what bats reports of a
# failure is the same. One thing shows: the stack traces of bats's warnings
# about run (BW01, BW02) name kcl_lib_run and kcl_untraced too.
# assert and refute, which run a command of the test's, keep the trap.

# kcl_untraced FUNCTION ARGS...: FUNCTION with the DEBUG trap off, its
# status kept. It leaves the trap alone in a nested call (the outer one puts
# it back) and in the teardown of a failed test, which bats runs from its
# EXIT trap: the trap set before that handler does not fire in it, but set
# again it would, and record the teardown's commands over the failure's
# place. (bats_error_trap, grader/guest/bats-trace.bash, runs bats's
# on_failure hook as a nested call for the same reason.)
kcl_untraced() {
	if [[ -n ${kcl_untraced_depth-} ||
		${BATS_TEARDOWN_STARTED-} == as-exit-trap ]]; then
		"$@"
		return
	fi
	# not "status": the assertions read the test's, which run sets
	local kcl_untraced_status=0
	kcl_untraced_depth=1
	trap - DEBUG
	"$@" || kcl_untraced_status=$?
	kcl_untraced_depth=
	# the trap bats_setup_tracing set (vm/initramfs.sh)
	# shellcheck disable=SC2064,SC2154 # its text, set in tracing.bash
	trap "$kcl_debug_trap" DEBUG
	return "$kcl_untraced_status"
}

run() { kcl_untraced kcl_lib_run "$@"; }
